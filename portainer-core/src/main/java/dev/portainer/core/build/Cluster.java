package dev.portainer.core.build;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.EarlySubscription;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.Stager;

/**
 * Where a run's builds go, and what that changes: the embedded single-node Mesos with its start-up speed-ups
 * ({@link LocalCluster}), or a real master ({@link RemoteCluster}). Whatever it starts it registers with the run's
 * shutdown guard, which undoes it when the run ends.
 */
interface Cluster {
    /** The master the framework registers with. */
    MesosMaster master();

    /** How the framework registers with {@link #master()}. */
    SchedulerConfig schedulerConfig();

    /** A framework that subscribed while the contexts were packed, whose offers wait for the tasks; or null. */
    EarlySubscription early();

    /** Where the agents fetch the staged files from. */
    Stager openStager() throws StagingException;

    /**
     * How the packed contexts travel: a plain tar where the agent reads the file in place (compressing would only
     * cost time), a tar.gz where it crosses a network.
     */
    ContextFormat contextFormat();

    /**
     * Whether a build may start while its context is still being packed: the executors read it where it is packed, on
     * this machine (the embedded agent), or get it from this JVM as it is written ({@code Stager.servesWhileWritten});
     * not where the agents' fetcher takes it from a shared file system, nor in a container.
     */
    default boolean readsContextsWhilePacked() {
        return false;
    }

    /**
     * The shell command that starts the executor on the agent, in a container ({@code containerImage}) or not.
     *
     * @param executorSha the SHA-256 of the executor jar it starts
     */
    String executorCommand(boolean inContainer, String executorSha);

    /** Connects to the run's cluster: starts the embedded Mesos, or finds the leading master. */
    static Cluster connect(RunSettings settings, LocalMaster.Launcher launcher, RunContext run)
            throws BuildException, InterruptedException {
        return settings.localMaster() ? LocalCluster.start(settings, launcher, run) : RemoteCluster.find(settings, run);
    }

    /** How the run registers with {@code master}, from its settings. */
    static SchedulerConfig schedulerConfig(RunSettings settings, MesosMaster master, RunContext run) {
        FrameworkSettings framework = settings.framework();
        return SchedulerConfig.defaults(master, framework.user(), run.hostname())
                .withFrameworkName(framework.name())
                .withRole(framework.role())
                .withFailoverTimeout(framework.failoverTimeout())
                .withOfferTimeout(settings.offerTimeout())
                .withBuildTimeout(settings.timeout())
                .withConstraints(settings.constraints())
                .withRetries(settings.retries())
                .withCredential(settings.mesosAccess().credential());
    }

    /** Where the run's Hadoop staging goes, when it has one; null otherwise. */
    static Stager hadoopStager(RunSettings settings, RunContext run) throws StagingException {
        if (settings.hadoopStaging() == null) {
            return null;
        }
        run.events().info("Staging on " + settings.hadoopStaging().stagingUri());
        return dev.portainer.core.staging.HadoopStager.open(settings.hadoopStaging(), run.environment(), run.random(),
                dev.portainer.core.staging.StagingListener.of(run.events()::info, run.events()::warn), run.clock());
    }
}
