package dev.portainer.core.build;

import dev.portainer.core.scheduler.BuildEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cancels a build when the JVM is asked to stop (Ctrl-C, SIGTERM to {@code mvn}), for the length of the build.
 *
 * <p>A JVM shutdown hook cannot stop the main thread, and the JVM halts as soon as the hooks return, so the hook asks
 * the build to cancel (the build thread then kills its tasks, tears the framework down, closes the stager and the
 * embedded master, as it does for any failure) and waits for that clean-up, bounded. Should the build thread be stuck,
 * the hook runs the remaining clean-up steps itself. Each step runs once, on whichever thread claims it first, so the
 * two threads never close the same thing twice nor wait for each other.
 */
final class CancelOnShutdown implements AutoCloseable {
    /** How long the hook waits for the build thread's own clean-up before doing it itself. */
    static final Duration CLEANUP_WAIT = Duration.ofSeconds(10);

    /** A clean-up step that runs at most once, on whichever thread gets to it first. */
    interface Step {
        void run() throws Exception;
    }

    private final BuildEvents events;
    private final Duration cleanupWait;
    private final Thread hook;
    private final CountDownLatch buildThreadDone = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    // Guarded by this.
    private final List<Runnable> cancellers = new ArrayList<>();
    private final List<Once> steps = new ArrayList<>();

    private CancelOnShutdown(BuildEvents events, Duration cleanupWait) {
        this.events = events;
        this.cleanupWait = cleanupWait;
        this.hook = new Thread(this::onShutdown, "portainer-shutdown");
    }

    /** Registers the hook; {@link #close()} removes it. */
    static CancelOnShutdown install(BuildEvents events) {
        return install(events, CLEANUP_WAIT, true);
    }

    static CancelOnShutdown install(BuildEvents events, Duration cleanupWait, boolean register) {
        CancelOnShutdown guard = new CancelOnShutdown(events, cleanupWait);
        if (register) {
            Runtime.getRuntime().addShutdownHook(guard.hook);
        }
        return guard;
    }

    /** Whether the JVM is stopping: the build must not start anything new. */
    boolean stopping() {
        return stopping.get();
    }

    /** Adds how to cancel a running part of the build (must return at once); runs it now if already stopping. */
    void onCancel(Runnable canceller) {
        synchronized (this) {
            if (!stopping.get()) {
                cancellers.add(canceller);
                return;
            }
        }
        canceller.run();
    }

    /**
     * Wraps a clean-up step of the build thread so that the hook can run it instead if the build thread does not get
     * there in time. The returned step is what the build thread must call.
     */
    Step cleanup(String what, Step step) {
        Once once = new Once(what, step);
        synchronized (this) {
            steps.add(once);
        }
        return once::run;
    }

    /**
     * Undoes, on the build thread, every step registered and not yet run, in reverse order (the last thing started is
     * the first stopped); a step that fails is reported and the others still run.
     */
    void undo() {
        List<Once> registered;
        synchronized (this) {
            registered = new ArrayList<>(steps);
        }
        for (int i = registered.size() - 1; i >= 0; i--) {
            registered.get(i).runQuietly();
        }
    }

    /** The build thread is done (its clean-up included): removes the hook, or lets a running hook return. */
    @Override
    public void close() {
        buildThreadDone.countDown();
        if (!stopping.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // The JVM is already shutting down (the hook then returns at once) or it was never registered.
            }
        }
    }

    /** What the hook does; package-private so that tests can run it without stopping their JVM. */
    void onShutdown() {
        List<Runnable> toCancel;
        synchronized (this) {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            toCancel = List.copyOf(cancellers);
        }
        if (buildThreadDone.getCount() == 0) {
            return;
        }
        events.warn("The JVM is stopping: cancelling the build (killing its tasks, tearing the framework down, "
                + "removing staged files)");
        for (Runnable canceller : toCancel) {
            try {
                canceller.run();
            } catch (RuntimeException e) {
                events.warn("Could not cancel the build cleanly: " + e);
            }
        }
        try {
            if (buildThreadDone.await(cleanupWait.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Once> remaining;
        synchronized (this) {
            remaining = new ArrayList<>(steps);
        }
        events.warn("The build did not stop within " + cleanupWait.toSeconds() + " s; cleaning up from the "
                + "shutdown hook");
        // Reverse order of registration: the same order the build thread would have closed them in.
        for (int i = remaining.size() - 1; i >= 0; i--) {
            remaining.get(i).runQuietly();
        }
    }

    private final class Once {
        private final String what;
        private final Step step;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Once(String what, Step step) {
            this.what = what;
            this.step = step;
        }

        void run() throws Exception {
            if (claimed.compareAndSet(false, true)) {
                step.run();
            }
        }

        void runQuietly() {
            try {
                run();
            } catch (Exception e) {
                events.warn("Could not " + what + ": " + e);
            }
        }
    }
}
