package dev.portainer.core.build;

import dev.portainer.core.mesos.scheduler.MesosSchedulerClient;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the embedded master on a background thread as soon as a build knows it needs one, then loads the wire
 * format's JSON classes; a second thread meanwhile loads the scheduler's HTTP client and messages. All of it then
 * overlaps reading the configuration and packing the context instead of following them (measured on a cold JVM,
 * two cores: ~0.2 s for the master, ~0.1 s for the client's first request).
 * The build claims the master with {@link #start()}; {@link #close()} stops it if no build ever did (a wrong
 * configuration, a context that cannot be packed).
 */
public final class EagerLocalMaster implements LocalMaster.Launcher, AutoCloseable {
    private final CompletableFuture<LocalMaster> started = new CompletableFuture<>();
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** The start and warm-up threads: joined on {@link #close()}, so that none outlives the goal. */
    private final List<Thread> threads = new java.util.ArrayList<>();
    /** How long {@link #close()} waits for a warm-up still under way (a goal that failed at once). */
    private static final long JOIN_MILLIS = 10_000;

    private EagerLocalMaster() {
    }

    /** Starts {@code launcher} now, on a daemon thread. */
    public static EagerLocalMaster start(LocalMaster.Launcher launcher) {
        EagerLocalMaster eager = new EagerLocalMaster();
        Thread thread = new Thread(() -> {
            LocalMaster master;
            try {
                master = launcher.start();
            } catch (IOException | RuntimeException | LinkageError e) {
                eager.started.completeExceptionally(e);
                return;
            }
            eager.started.complete(master);
            warmUpWireFormat();
        }, "portainer-local-mesos-start");
        thread.setDaemon(true);
        Thread http = new Thread(MesosSchedulerClient::warmUp, "portainer-scheduler-warm-up");
        http.setDaemon(true);
        eager.threads.addAll(List.of(thread, http));
        thread.start();
        http.start();
        return eager;
    }

    /**
     * Loads the wire format's classes (Jackson's streaming layer, the records), which the first offer's task
     * description would otherwise load while the build waits.
     */
    private static void warmUpWireFormat() {
        try {
            TaskResult.fromBytes(TaskResult.pushed("sha256:0", Map.of("1", "sha256:0"), List.of("1"), 1, 1).toBytes());
            BuildSpec.fromBytes(BuildSpec.of("registry:5000/warm/up", List.of("1"), "Dockerfile", "context.tar.gz",
                    true, null).toBytes());
            LogFrame.fromBytes(LogFrame.of(1, "warm-up").toBytes());
        } catch (RuntimeException | LinkageError e) {
            // a warm-up only
        }
    }

    /** The master started in the background, waiting for it if need be; from now on the caller closes it. */
    @Override
    public LocalMaster start() throws IOException {
        if (!claimed.compareAndSet(false, true)) {
            throw new IllegalStateException("the embedded master was already claimed");
        }
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(started);
            throw new IOException("interrupted while the embedded Mesos was starting", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException(new IOException(cause));
        }
    }

    /**
     * Stops the master unless a build claimed it, and waits for the warm-ups: a goal that failed at once returns
     * before they end, and Maven then closes the plugin's class realm under them (their classes would fail to load,
     * with stack traces in the Maven log).
     */
    @Override
    public void close() {
        if (claimed.compareAndSet(false, true)) {
            close(started);
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
        try {
            for (Thread thread : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left > 0) {
                    thread.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(CompletableFuture<LocalMaster> started) {
        try {
            started.get(30, TimeUnit.SECONDS).close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.thenAccept(LocalMaster::close);
        } catch (ExecutionException e) {
            // it never started: nothing to stop
        } catch (TimeoutException e) {
            started.thenAccept(LocalMaster::close);
        }
    }
}
