package dev.portainer.core.build;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.wire.mesos.PlainHttpOnly;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.scheduler.EarlySubscription;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.staging.HttpStager;
import dev.portainer.core.staging.LocalFileStager;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.Stager;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The embedded single-node Mesos ({@code mesosMaster=local}) and every speed-up it allows because it runs in this JVM
 * for this run alone: the framework subscribes while the contexts are packed (its offers wait for the tasks), the
 * executor runs with this JVM's java from a class-data archive and is started ahead of its launch, and the agent reads
 * the staged files in place.
 */
final class LocalCluster implements Cluster {
    private final MesosMaster master;
    private final SchedulerConfig config;
    private final EarlySubscription early;
    private final ExecutorClassData classData;
    private final RunSettings settings;
    private final RunContext run;

    private LocalCluster(MesosMaster master, SchedulerConfig config, EarlySubscription early,
                         ExecutorClassData classData, RunSettings settings, RunContext run) {
        this.master = master;
        this.config = config;
        this.early = early;
        this.classData = classData;
        this.settings = settings;
        this.run = run;
    }

    static LocalCluster start(RunSettings settings, LocalMaster.Launcher launcher, RunContext run)
            throws ClusterException, dev.portainer.core.scheduler.BuildCancelledException {
        run.stopIfStopping();
        run.events().debug("Starting the embedded single-node Mesos (mesosMaster=local)");
        LocalMaster local;
        try {
            local = launcher.start();
        } catch (IOException e) {
            throw new ClusterException("Cannot start the embedded Mesos: " + e.getMessage(), e);
        }
        run.guard().cleanup("stop the embedded Mesos", local::close);
        MesosMaster master = new MesosMaster(MesosMaster.LOCAL, local.uri());
        SchedulerConfig config = Cluster.schedulerConfig(settings, master, run).withSslContext(PlainHttpOnly.context());
        if (local.credential() != null) {
            // the embedded master answers only the scheduler holding this run's own credential
            config = config.withCredential(local.credential());
        }
        // The embedded master serves this run alone: subscribe while the contexts are packed and staged; its offers
        // are kept for the tasks. (On a real cluster a framework is only registered once the contexts are good.)
        // A subscription no run took over is torn down before the master it is on stops.
        EarlySubscription early = EarlySubscription.start(config, run.clock());
        run.guard().cleanup("tear down the Mesos framework", early::close);
        // The executor runs with this JVM's java, from a class-data archive once there is one (the first build makes
        // it alongside), and its JVM starts now, while the contexts are packed.
        ExecutorJarFile executor = settings.executorJar();
        ExecutorClassData classData = ExecutorClassData.open(executor, run.events());
        run.guard().cleanup("stop making the executor's class-data archive", () -> {
            try {
                if (!run.guard().stopping()) {
                    classData.close(); // keeps a finished archive; a stopping JVM does not wait for it
                }
            } finally {
                classData.cancel();
            }
        });
        if (settings.containerImage() == null) {
            local.prepareExecutor(ExecutorCommands.local(classData), ExecutorCommands.localStandby(classData,
                    executor), executor.jar().toAbsolutePath());
        }
        return new LocalCluster(master, config, early, classData, settings, run);
    }

    @Override
    public MesosMaster master() {
        return master;
    }

    @Override
    public SchedulerConfig schedulerConfig() {
        return config;
    }

    @Override
    public EarlySubscription early() {
        return early;
    }

    /** The agent is this machine: files by path, only the one-time credentials over loopback HTTP. */
    @Override
    public Stager openStager() throws StagingException {
        return readsInPlace() ? new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(), run.random()))
                : Cluster.hadoopStager(settings, run);
    }

    /** Nothing to compress when the agent reads the context where it was packed; a Hadoop staging is a network. */
    @Override
    public ContextFormat contextFormat() {
        return readsInPlace() ? ContextFormat.TAR : ContextFormat.TAR_GZIP;
    }

    /** In place, unless in a container (Docker-in-Docker), whose sandbox gets a link to a complete file. */
    @Override
    public boolean readsContextsWhilePacked() {
        return readsInPlace() && settings.containerImage() == null;
    }

    private boolean readsInPlace() {
        return settings.hadoopStaging() == null;
    }

    @Override
    public String executorCommand(boolean inContainer, String executorSha) {
        return inContainer ? ExecutorCommands.CONTAINER_EXECUTOR_COMMAND : ExecutorCommands.local(classData);
    }
}
