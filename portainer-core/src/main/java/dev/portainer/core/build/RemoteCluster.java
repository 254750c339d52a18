package dev.portainer.core.build;

import dev.portainer.core.config.Message;
import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.config.Setting;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.EarlySubscription;
import dev.portainer.core.mesos.scheduler.MasterDetector;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.mesos.scheduler.TrustedCertificates;
import dev.portainer.core.mesos.scheduler.ZooKeeperAddress;
import dev.portainer.core.mesos.scheduler.ZooKeeperMasterDetector;
import dev.portainer.core.staging.HttpStager;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.Stager;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A real Mesos master, given as {@code host:port}, {@code http(s)://…} or {@code zk://…} (the leader is looked up in
 * ZooKeeper now and again whenever the connection to it is lost). The agents fetch the staged files over the network.
 */
final class RemoteCluster implements Cluster {
    /** How long to wait for ZooKeeper when the master is a {@code zk://} address. */
    static final Duration ZOOKEEPER_TIMEOUT = Duration.ofSeconds(15);

    private final MesosMaster master;
    private final SchedulerConfig config;
    private final RunSettings settings;
    private final RunContext run;

    private RemoteCluster(MesosMaster master, SchedulerConfig config, RunSettings settings, RunContext run) {
        this.master = master;
        this.config = config;
        this.settings = settings;
        this.run = run;
    }

    static RemoteCluster find(RunSettings settings, RunContext run) throws BuildException, InterruptedException {
        MasterDetector zookeeper = null;
        MesosMaster master;
        if (ZooKeeperAddress.isZooKeeper(settings.mesosMaster())) {
            zookeeper = ZooKeeperMasterDetector.connect(ZooKeeperAddress.parse(settings.mesosMaster()),
                    ZOOKEEPER_TIMEOUT);
            run.guard().cleanup("stop watching ZooKeeper", zookeeper::close);
            master = zookeeper.leader();
            run.events().info("ZooKeeper " + zookeeper.address() + " names " + master.baseUri() + " as the leading"
                    + " Mesos master");
        } else {
            master = MesosMaster.parse(settings.mesosMaster());
        }
        SchedulerConfig config = Cluster.schedulerConfig(settings, master, run).withDetector(zookeeper)
                .withSslContext(settings.mesosAccess().caCertificate() == null ? null
                        : TrustedCertificates.fromPem(settings.mesosAccess().caCertificate()));
        return new RemoteCluster(master, config, settings, run);
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
        return null;
    }

    /** A shared filesystem, or this JVM serving the files on the address the master's agents presumably reach. */
    @Override
    public Stager openStager() throws StagingException {
        Stager hadoop = Cluster.hadoopStager(settings, run);
        if (hadoop != null) {
            return hadoop;
        }
        HttpStager stager = HttpStager.start(addressTowards(master), settings.stagingPort(), run.random());
        if (settings.stagingPort() != 0 && stager.port() != settings.stagingPort()) {
            run.events().warn("Port " + settings.stagingPort() + " is taken (another build on this machine?): the"
                    + " staged files are served on port " + stager.port() + ", which the agents must reach too");
        }
        return stager;
    }

    @Override
    public ContextFormat contextFormat() {
        return ContextFormat.TAR_GZIP;
    }

    /**
     * When this JVM serves the contexts over HTTP ({@link HttpStager}): each executor gets its context as it is packed,
     * its JVM starting meanwhile. Not in a container, whose sandbox gets the context from the fetcher.
     */
    @Override
    public boolean readsContextsWhilePacked() {
        return settings.hadoopStaging() == null && settings.containerImage() == null;
    }

    @Override
    public String executorCommand(boolean inContainer, String executorSha) {
        return inContainer ? ExecutorCommands.CONTAINER_EXECUTOR_COMMAND : ExecutorCommands.remote(executorSha);
    }

    /** The address of this machine that the master, and so presumably its agents, can reach. */
    private static InetAddress addressTowards(MesosMaster master) throws StagingException {
        String host = master.baseUri().getHost();
        int port = master.baseUri().getPort() < 0 ? 5050 : master.baseUri().getPort();
        try (DatagramSocket probe = new DatagramSocket()) {
            // A UDP "connect" sends nothing; it only asks the kernel which local address routes to the master.
            probe.connect(new InetSocketAddress(InetAddress.getByName(host), port));
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new SocketException("no route");
            }
            return local;
        } catch (UnknownHostException e) {
            throw new StagingException(Message.of("Cannot resolve the Mesos master host ", host, "; check ",
                    Setting.MESOS_MASTER.named()), e);
        } catch (SocketException e) {
            throw new StagingException(Message.of("Cannot find an address of this machine that the Mesos master ",
                    host, " can reach to fetch the build context: ", e.getMessage(), "; set ", Setting.STAGING_URI
                    .named(), " to stage on a shared filesystem instead"), e);
        }
    }
}
