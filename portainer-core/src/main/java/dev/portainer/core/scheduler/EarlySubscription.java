package dev.portainer.core.scheduler;

import dev.portainer.core.mesos.scheduler.MesosSchedulerClient;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A framework that subscribes while its builds are still being prepared (contexts packed and staged), so that the
 * SUBSCRIBE round trip and the first offers are not on the build's path. Whatever the master sends before the run
 * takes over (SUBSCRIBED, OFFERS, HEARTBEAT...) is kept and handed over in order: offers are held, not declined, so
 * they are still there when the tasks are ready. Closed without ever being taken over (the context was wrong, the
 * build was cancelled), it tears its framework down.
 */
public final class EarlySubscription implements AutoCloseable {
    private final MesosSchedulerClient client;
    private final CompletableFuture<FrameworkID> subscribed = new CompletableFuture<>();
    /** What arrived before {@link #attach}; replayed to the run's listener, then null. Guarded by {@code this}. */
    private List<Consumer<MesosSchedulerClient.Listener>> pending = new ArrayList<>();
    private MesosSchedulerClient.Listener target;
    private boolean closed;

    private EarlySubscription(MesosSchedulerClient client) {
        this.client = client;
    }

    /** Starts subscribing on a daemon thread and returns at once. */
    public static EarlySubscription start(SchedulerConfig config, Clock clock) {
        EarlySubscription early = new EarlySubscription(new MesosSchedulerClient(
                Objects.requireNonNull(config, "config"), clock));
        Thread thread = new Thread(early::subscribe, "portainer-mesos-subscribe");
        thread.setDaemon(true);
        thread.start();
        return early;
    }

    private void subscribe() {
        try {
            subscribed.complete(client.subscribe(new MesosSchedulerClient.Listener() {
                @Override
                public void onEvent(Event event) {
                    deliver(listener -> listener.onEvent(event));
                }

                @Override
                public void onDisconnected(String reason) {
                    deliver(listener -> listener.onDisconnected(reason));
                }

                @Override
                public void onClosed(ClusterException failure) {
                    deliver(listener -> listener.onClosed(failure));
                }
            }));
        } catch (ClusterException | RuntimeException e) {
            subscribed.completeExceptionally(e);
        } catch (InterruptedException e) {
            subscribed.completeExceptionally(new BuildCancelledException("The build was cancelled while subscribing "
                    + "to the Mesos master"));
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Consumer<MesosSchedulerClient.Listener> signal) {
        MesosSchedulerClient.Listener to;
        synchronized (this) {
            if (target == null) {
                pending.add(signal);
                return;
            }
            to = target;
        }
        signal.accept(to);
    }

    /** The client, for the run that takes over. */
    MesosSchedulerClient client() {
        return client;
    }

    /**
     * Takes the subscription over: waits for SUBSCRIBED, gives {@code listener} everything received so far in order,
     * then every later event. From now on the run owns the framework and tears it down.
     *
     * @throws ClusterException the subscription failed, as {@link MesosSchedulerClient#subscribe} would have thrown
     */
    FrameworkID attach(MesosSchedulerClient.Listener listener) throws ClusterException, InterruptedException {
        Objects.requireNonNull(listener, "listener");
        FrameworkID id;
        try {
            id = subscribed.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClusterException cluster) {
                throw cluster;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ClusterException("Subscribing to the Mesos master failed: " + e.getCause(), e.getCause());
        }
        synchronized (this) {
            if (closed) {
                throw new BuildCancelledException("The build was cancelled before its tasks were ready");
            }
            // Replayed under the lock so that a live event cannot overtake the ones kept; the listener only queues.
            pending.forEach(signal -> signal.accept(listener));
            pending = null;
            target = listener;
        }
        return id;
    }

    /** Unless a run took over: tears the framework down (once subscribed) and closes the connection. */
    @Override
    public void close() {
        synchronized (this) {
            if (target != null || closed) {
                return;
            }
            closed = true;
        }
        try {
            if (client.frameworkId().isPresent()) {
                client.teardown();
            }
        } catch (IOException | RuntimeException e) {
            // Then the master removes it when its failover timeout runs out, once the connection below is closed.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }
}
