package dev.portainer.core.build;

import dev.portainer.core.scheduler.MesosSchedulerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the embedded master on a background thread as soon as a build knows it needs one, then warms up the
 * scheduler's HTTP client against it, so that both overlap reading the configuration and packing the context
 * instead of following them (measured ~0.2 s for the master and ~0.2 s for a JVM's first HTTP client on two cores).
 * The build claims the master with {@link #start()}; {@link #close()} stops it if no build ever did (a wrong
 * configuration, a context that cannot be packed).
 */
public final class EagerLocalMaster implements LocalMaster.Launcher, AutoCloseable {
    private final CompletableFuture<LocalMaster> started = new CompletableFuture<>();
    private final AtomicBoolean claimed = new AtomicBoolean();

    private EagerLocalMaster() {
    }

    /** Starts {@code launcher} now, on a daemon thread. */
    public static EagerLocalMaster start(LocalMaster.Launcher launcher) {
        EagerLocalMaster eager = new EagerLocalMaster();
        Thread thread = new Thread(() -> {
            LocalMaster master;
            try {
                master = launcher.start();
            } catch (IOException | RuntimeException e) {
                eager.started.completeExceptionally(e);
                return;
            }
            eager.started.complete(master);
            MesosSchedulerClient.warmUp(master.uri());
        }, "portainer-local-mesos-start");
        thread.setDaemon(true);
        thread.start();
        return eager;
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

    /** Stops the master unless a build claimed it. */
    @Override
    public void close() {
        if (claimed.compareAndSet(false, true)) {
            close(started);
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
