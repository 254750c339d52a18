package dev.portainer.core.build;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
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
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Pushes images that an earlier build made and left in the Docker daemon of the agent that built it, as named steps
 * like {@link ImageBuild}'s: connect to the cluster, stage the executor and the sealed credentials (no context:
 * nothing is built), schedule one push task per image on the agent that built it, collect how each ended.
 */
public final class ImagePush {
    private final RunEnvironment environment;

    /** @param environment what each run takes from the process: time, randomness, ids, variables, host name */
    public ImagePush(RunEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** In this process: {@link RunEnvironment#ofThisProcess()}. */
    public static ImagePush ofThisProcess() {
        return new ImagePush(RunEnvironment.ofThisProcess());
    }

    /**
     * Pushes every tag of each image, each on the agent whose daemon has it, in one Mesos framework.
     *
     * @param settings the run's settings (cluster, staging, timeouts; {@code push} is not read: this run pushes)
     * @param images   the images, as their builds recorded them
     * @param events   where progress and Docker's log go
     * @param launcher starts the embedded master when the master is {@code local}
     * @return how each push ended, in the order given: the image with its digests, or the failure (its image gone
     *         from the agent, the agent gone: {@code OfferTimeoutException}, the registry refusing)
     * @throws InvalidSettingException the images were built in a daemon that no longer exists ({@code containerImage})
     * @throws StagingException        the executor or the credentials could not be staged; nothing was scheduled
     * @throws BuildException          the cluster could not be used at all
     */
    public List<Outcome<ImageToPush, BuildResult>> push(RunSettings settings, List<ImageToPush> images,
                                                        BuildEvents events, LocalMaster.Launcher launcher)
            throws StagingException, BuildException, InterruptedException {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("nothing to push");
        }
        Set<String> names = new HashSet<>();
        for (ImageToPush image : images) {
            if (!names.add(image.built().image().name())) {
                throw new IllegalArgumentException("image " + image.built().image().name() + " is listed twice");
            }
        }
        if (settings.containerImage() != null) {
            // Docker-in-Docker: the executor's own daemon, and the image in it, ended with the build's task.
            throw new InvalidSettingException(Message.of("The images were built in the executor's own Docker daemon"
                    + " (", Setting.CONTAINER_IMAGE.named(), " ", settings.containerImage(), "), which ended with its"
                    + " build: there is nothing left to push. Push in the build itself, or build without ",
                    Setting.CONTAINER_IMAGE));
        }
        BuildEvents safeEvents = NeverFailingEvents.wrap(events);
        try (CancelOnShutdown guard = CancelOnShutdown.install(safeEvents)) {
            RunContext run = new RunContext(safeEvents, guard, environment.clock(),
                    environment.random().get(), environment.ids(), environment.environment(),
                    environment.hostname().get());
            try {
                return steps(settings, images, launcher, run);
            } finally {
                guard.undo();
            }
        }
    }

    private static List<Outcome<ImageToPush, BuildResult>> steps(RunSettings settings, List<ImageToPush> images,
                                                                 LocalMaster.Launcher launcher, RunContext run)
            throws StagingException, BuildException, InterruptedException {
        Cluster cluster = Cluster.connect(settings, launcher, run);
        run.stopIfStopping();
        Stager stager = cluster.openStager();
        run.guard().cleanup("remove the staged files", stager::close);
        List<BuildTask> tasks = new TaskStaging(settings, cluster, stager, run).stagePushes(images);
        for (ImageToPush image : images) {
            run.events().info("Scheduling the push of " + image.built().imageId() + " as " + image.built().tags()
                    .size() + " tag(s) of " + image.built().image().name() + " on agent " + image.built().agent()
                    + ", which built it, through Mesos master " + cluster.master());
        }
        try (BuildRunner runner = BuildRunner.create(cluster.schedulerConfig())) {
            run.guard().cleanup("tear down the Mesos framework", runner::abort);
            run.guard().onCancel(() -> runner.cancelNow("The push was cancelled: the JVM is stopping (Ctrl-C or"
                    + " SIGTERM)"));
            List<Outcome<BuildTask, BuildOutcome>> outcomes = runner.runAll(tasks, settings.failFast(), run.events(),
                    cluster.early());
            List<Outcome<ImageToPush, BuildResult>> ended = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                ImageToPush image = images.get(i);
                BuildResult built = image.built();
                ended.add(outcomes.get(i).as(image, pushed -> {
                    TaskResult result = pushed.result();
                    return new BuildResult(built.image(), built.tags(), result.imageId(), result.digest(),
                            result.sizeBytes() >= 0 ? result.sizeBytes() : built.sizeBytes(), pushed.agentHostname(),
                            result.digests());
                }));
            }
            return ended;
        }
    }
}
