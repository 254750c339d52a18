package dev.portainer.core.build;

import dev.portainer.core.context.ContextException;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildOutcome;
import dev.portainer.core.scheduler.BuildRunner;
import dev.portainer.core.scheduler.BuildTask;
import dev.portainer.core.scheduler.Outcome;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.Stager;
import dev.portainer.wire.TaskResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a plan's images on Mesos, as named steps: connect to the cluster, pack every context (on the embedded agent
 * while the builds already read them), stage the files, schedule the builds in one framework, collect how each
 * ended. Everything a step starts is registered with the run's shutdown guard and undone in reverse order when the
 * run ends, however it ends (Ctrl-C included): the packed contexts and staged files are removed and nothing keeps
 * running on the cluster.
 */
public final class ImageBuild {
    private final RunEnvironment environment;

    /** @param environment what each run takes from the process: time, randomness, ids, variables, host name */
    public ImageBuild(RunEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** In this process: {@link RunEnvironment#ofThisProcess()}. */
    public static ImageBuild ofThisProcess() {
        return new ImageBuild(RunEnvironment.ofThisProcess());
    }

    /** {@link #run(BuildPlan, BuildEvents, LocalMaster.Launcher)} of {@link #ofThisProcess()}. */
    public static List<Outcome<ImageSpec, BuildResult>> run(BuildPlan plan, BuildEvents events,
                                                            LocalMaster.Launcher launcher)
            throws ContextException, StagingException, BuildException, InterruptedException {
        return ofThisProcess().build(plan, events, launcher);
    }

    /**
     * Builds the images of the plan in one Mesos framework: every context is packed and staged first (a wrong context
     * fails at once, before anything is scheduled), then all builds are queued together and run in parallel on the
     * offers that fit. One image is a plan of one. On the embedded agent, which reads the contexts in place, the
     * contexts that changed are packed while the builds are scheduled, each read by its build as it is written; what
     * only the packing finds wrong (an unreadable file) then stops the builds and fails the run just the same.
     *
     * @param plan     the run's settings and its images
     * @param events   where progress and Docker's log go
     * @param launcher starts the embedded master when the plan's master is {@code local}
     * @return how each image ended, in the order given: its result, or its failure ({@code BuildFailedException}:
     *         Docker's error; {@code ClusterException}: the cluster failed it; a cancellation)
     * @throws ContextException a context or Dockerfile is wrong (the user's to fix); nothing was scheduled, or what
     *                          was is stopped
     * @throws StagingException the files could not be staged for the agents; nothing was scheduled
     * @throws BuildException   the cluster could not be used at all (ZooKeeper, the embedded master)
     */
    public List<Outcome<ImageSpec, BuildResult>> build(BuildPlan plan, BuildEvents events,
                                                       LocalMaster.Launcher launcher)
            throws ContextException, StagingException, BuildException, InterruptedException {
        RunSettings settings = plan.settings();
        BuildResultFiles.clearAll(settings.workDirectory(), plan.images().stream().map(ImageSpec::image).toList());
        BuildEvents safeEvents = NeverFailingEvents.wrap(events);
        try (CancelOnShutdown guard = CancelOnShutdown.install(safeEvents)) {
            RunContext run = new RunContext(safeEvents, guard, environment.clock(),
                    environment.random().get(), environment.ids(), environment.environment(),
                    environment.hostname().get());
            try {
                return steps(plan, launcher, run);
            } finally {
                guard.undo();
            }
        }
    }

    /** The steps, in order; each registers what it starts with the run's guard. */
    private static List<Outcome<ImageSpec, BuildResult>> steps(BuildPlan plan, LocalMaster.Launcher launcher,
                                                               RunContext run)
            throws ContextException, StagingException, BuildException, InterruptedException {
        RunSettings settings = plan.settings();
        Cluster cluster = Cluster.connect(settings, launcher, run);
        // Where the executor reads a context in place, its build starts while it is packed.
        ContextPacking.Packing contexts = new ContextPacking(settings, run, cluster.contextFormat())
                .start(plan.images(), cluster.readsContextsWhilePacked());
        run.stopIfStopping();
        Stager stager = cluster.openStager();
        CancelOnShutdown.Step removeStaged = run.guard().cleanup("remove the staged files", stager::close);
        List<BuildTask> tasks = new TaskStaging(settings, cluster, stager, run).stageAll(plan.images(),
                contexts.archives());
        contexts.checkNotFailed();
        List<Outcome<ImageSpec, BuildResult>> outcomes = schedule(plan, tasks, cluster, run, contexts);
        // A context that could not be packed fails the run as it would have before anything was scheduled.
        contexts.finish();
        runNow(removeStaged, run);
        return outcomes;
    }

    /** The schedule and collect steps: one framework, every build queued at once, then each image's outcome. */
    private static List<Outcome<ImageSpec, BuildResult>> schedule(BuildPlan plan, List<BuildTask> tasks,
                                                                  Cluster cluster, RunContext run,
                                                                  ContextPacking.Packing contexts)
            throws InterruptedException {
        for (ImageSpec image : plan.images()) {
            run.events().debug("Scheduling the build of " + image.primaryReference() + " on Mesos master "
                    + cluster.master() + " (cpus " + image.cpus() + ", mem " + image.memMb() + " MB)");
        }
        try (BuildRunner runner = BuildRunner.create(cluster.schedulerConfig())) {
            run.guard().cleanup("tear down the Mesos framework", runner::abort);
            run.guard().onCancel(() -> runner.cancelNow("The build was cancelled: the JVM is stopping (Ctrl-C or"
                    + " SIGTERM)"));
            contexts.onFailure(() -> runner.cancel("Stopped: a build context could not be packed"));
            List<Outcome<BuildTask, BuildOutcome>> outcomes = runner.runAll(tasks, plan.settings().failFast(),
                    run.events(), cluster.early());
            List<Outcome<ImageSpec, BuildResult>> ended = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                ImageSpec image = plan.images().get(i);
                // Lines lost for good were already reported by the run, with where the full log is.
                ended.add(outcomes.get(i).as(image, built -> {
                    TaskResult result = built.result();
                    return new BuildResult(image.image(), image.tags(), result.imageId(), result.digest(),
                            result.sizeBytes(), built.agentHostname(), result.digests());
                }));
            }
            return ended;
        }
    }

    /** Runs a clean-up step now rather than at the end of the run; its failure is reported, not thrown. */
    private static void runNow(CancelOnShutdown.Step step, RunContext run) {
        try {
            step.run();
        } catch (Exception e) {
            run.events().warn("Could not clean up: " + e);
        }
    }
}
