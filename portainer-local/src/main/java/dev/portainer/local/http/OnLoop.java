package dev.portainer.local.http;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a piece of work on the event loop from an HTTP handler thread and waits for its answer. */
public final class OnLoop {
    /** Work that may refuse the request the way Mesos would. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws BadRequestException;
    }

    private OnLoop() {
    }

    public static <T> T call(ExecutorService loop, Work<T> work) throws BadRequestException {
        Future<T> future;
        try {
            future = loop.submit(() -> {
                try {
                    return work.run();
                } catch (BadRequestException e) {
                    throw new ExecutionException(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new BadRequestException(503, "portainer-local is shutting down");
        }
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ExecutionException wrapped && wrapped.getCause() instanceof BadRequestException bad) {
                throw bad;
            }
            throw new IllegalStateException("portainer-local failed to handle the request: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadRequestException(503, "Interrupted");
        } catch (TimeoutException e) {
            throw new BadRequestException(503, "portainer-local did not answer in time");
        }
    }
}
