package dev.portainer.core.scheduler;

import dev.portainer.core.mesos.MesosProtobuf;
import dev.portainer.core.mesos.scheduler.MasterUnreachableException;
import dev.portainer.core.mesos.scheduler.MesosSchedulerClient;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs image builds on a Mesos cluster: each {@link #runAll} registers a framework, launches the build tasks (one
 * image's or several) with the Portainer executor on the offers that fit, streams their log, and tears the framework
 * down at the end whatever happens. Thread-safe: several runs may go at once from different threads, each as its own
 * framework.
 */
public final class BuildRunner implements AutoCloseable {
    private final SchedulerConfig config;
    private final Clock clock;
    private final Supplier<UUID> ids;
    private final Set<BuildRun> active = ConcurrentHashMap.newKeySet();
    /** Set once by {@link #cancelNow}: no build may start afterwards. */
    private volatile String stoppedBecause;

    public BuildRunner(SchedulerConfig config, Clock clock, Supplier<UUID> ids) {
        MesosProtobuf.acceptPre22Gencode();
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ids = Objects.requireNonNull(ids, "ids");
    }

    /** A runner on the system clock and random UUIDs. */
    public static BuildRunner create(SchedulerConfig config) {
        return new BuildRunner(config, Clock.systemUTC(), UUID::randomUUID);
    }

    /**
     * Builds one image or several in one framework and blocks until every one has ended: all are queued at once and
     * launched on every offer that fits, several on one offer when it fits several. A failed build does not stop
     * the others unless {@code failFast}, when the first failure kills the rest. Log lines go to {@code events}
     * with their task's name. Interrupting the thread kills the tasks, tears down and throws InterruptedException.
     *
     * @param tasks    the builds, with distinct names
     * @param failFast kill the other builds as soon as one fails
     * @return how each task ended, in the order given; a failure of the whole run (master unreachable, cancelled)
     *         is the failure of every task that had not ended. A failure is a {@link BuildFailedException} (the build
     *         itself failed, Docker's error text is the message), {@link MasterUnreachableException},
     *         {@link OfferTimeoutException} (the message compares needed and offered resources),
     *         {@link TaskFailedException} (the cluster failed the task: executor lost, fetch failed, agent gone…),
     *         {@link BuildCancelledException} ({@link #cancel()} or the build timeout stopped it), or another
     *         {@link ClusterException} of the master or of the connection to it
     */
    public List<Outcome<BuildTask, BuildOutcome>> runAll(List<BuildTask> tasks, boolean failFast,
                                                         BuildEvents events) throws InterruptedException {
        return runAll(tasks, failFast, events, null);
    }

    /**
     * Like {@link #runAll(List, boolean, BuildEvents)}, on a framework that subscribed while the tasks were being
     * prepared (its offers were kept for them); null subscribes now.
     */
    public List<Outcome<BuildTask, BuildOutcome>> runAll(List<BuildTask> tasks, boolean failFast,
                                                         BuildEvents events, EarlySubscription early)
            throws InterruptedException {
        Objects.requireNonNull(events, "events");
        BuildRun run = new BuildRun(config, clock, ids, List.copyOf(tasks), failFast, events,
                early != null ? early.client() : new MesosSchedulerClient(config, clock), early);
        active.add(run);
        try {
            String stopped = stoppedBecause;
            if (stopped != null) {
                BuildCancelledException cancelled = new BuildCancelledException(stopped);
                return tasks.stream().map(t -> Outcome.<BuildTask, BuildOutcome>failure(t, cancelled,
                        java.time.Duration.ZERO)).toList();
            }
            return run.executeAll();
        } finally {
            active.remove(run);
        }
    }

    /**
     * Stops every build in progress: kills its tasks, tears its framework down; their tasks end with a
     * {@link BuildCancelledException}. Returns at once.
     */
    public void cancel() {
        for (BuildRun run : active) {
            run.cancel("The build was cancelled");
        }
    }

    /**
     * Like {@link #cancel()}, with {@code why} as every build's failure, and for good: a run that starts afterwards
     * ends at once, as after {@link #cancelNow}.
     */
    public void cancel(String why) {
        stoppedBecause = why;
        for (BuildRun run : active) {
            run.cancel(why);
        }
    }

    /**
     * Stops every build in progress and any later one without waiting for their tasks to confirm the kill: KILL, then
     * TEARDOWN at once (the master kills whatever is left). For a JVM that is about to exit. Returns at once.
     */
    public void cancelNow(String why) {
        stoppedBecause = why;
        for (BuildRun run : active) {
            run.cancelNow(why);
        }
    }

    /**
     * Last resort when the threads running builds are stuck: sends TEARDOWN for every build's framework from the
     * calling thread (the master then kills their tasks) and closes their connections. Blocks for at most the HTTP
     * timeouts.
     */
    public void abort() {
        stoppedBecause = stoppedBecause == null ? "The build was aborted" : stoppedBecause;
        for (BuildRun run : active) {
            run.abort();
        }
    }

    /** Same as {@link #cancel()}, for try-with-resources and shutdown hooks. */
    @Override
    public void close() {
        cancel();
    }
}
