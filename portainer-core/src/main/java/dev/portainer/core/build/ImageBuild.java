package dev.portainer.core.build;

import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.PackedContext;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildOutcome;
import dev.portainer.core.scheduler.BuildRunner;
import dev.portainer.core.scheduler.BuildTask;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.scheduler.ExecutorLaunch;
import dev.portainer.core.scheduler.FetchUri;
import dev.portainer.core.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.staging.HadoopStager;
import dev.portainer.core.staging.HadoopStaging;
import dev.portainer.core.staging.HttpStager;
import dev.portainer.core.staging.StagedFile;
import dev.portainer.core.staging.Stager;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.StagingListener;
import dev.portainer.core.wire.BuildSpec;
import dev.portainer.core.wire.TaskResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * One image build, from the context directory to a pushed image: pack, stage, schedule on Mesos, report. Whatever
 * happens, the packed context and staged files are removed and nothing keeps running on the cluster.
 */
public final class ImageBuild {
    static final String CONTEXT_FILE = "context.tar.gz";
    static final String EXECUTOR_FILE = "portainer-executor.jar";
    /** What the executor JVM itself asks for, on top of the build's own cpus and memory. */
    static final double EXECUTOR_CPUS = 0.1;
    static final double EXECUTOR_MEM_MB = 192;
    /**
     * Starts the executor with the agent's Java; small heap and quick start-up flags, because it only streams.
     * The sandbox is the working directory, where the fetcher put the jar.
     */
    static final String EXECUTOR_COMMAND = "exec \"${JAVA_HOME:+$JAVA_HOME/bin/}java\" -XX:+UseSerialGC "
            + "-XX:TieredStopAtLevel=1 -Xss512k -XX:MaxRAM=" + (int) EXECUTOR_MEM_MB + "m -jar " + EXECUTOR_FILE;

    private ImageBuild() {
    }

    /**
     * Runs the build.
     *
     * @param request  what to build
     * @param events   where progress and Docker's log go
     * @param launcher starts the embedded master when {@code request.localMaster()}
     * @throws ContextException the context or Dockerfile is wrong (the user's to fix)
     * @throws StagingException the files could not be staged for the agents
     * @throws BuildException   the build failed on the cluster ({@code BuildFailedException}: Docker's error) or the
     *                          cluster failed it ({@code ClusterException})
     */
    public static BuildResult run(BuildRequest request, BuildEvents events, LocalMaster.Launcher launcher)
            throws ContextException, StagingException, BuildException, InterruptedException {
        MesosMaster remote = request.localMaster() ? null : MesosMaster.parse(request.mesosMaster());
        SecureRandom random = new SecureRandom();
        Path archive = request.workDirectory().resolve("context-" + UUID.randomUUID() + ".tar.gz");
        try {
            PackedContext context = pack(request, archive, events);
            String executorSha = sha256(request.executorJar());
            LocalMaster local = null;
            try {
                if (request.localMaster()) {
                    events.info("Starting the embedded single-node Mesos (mesosMaster=local)");
                    local = launcher.start();
                }
                MesosMaster master = local != null ? new MesosMaster(MesosMaster.LOCAL, local.uri()) : remote;
                try (Stager stager = openStager(request, master, local != null, random, events)) {
                    StagedFile jar = stager.stageSharedFile(request.executorJar(), EXECUTOR_FILE, executorSha);
                    StagedFile staged = stager.stageBuildFile(context.archive(), CONTEXT_FILE, context.sha256());
                    return schedule(request, master, context, jar, staged, events);
                }
            } catch (IOException e) {
                throw new ClusterException("Cannot start the embedded Mesos: " + e.getMessage(), e);
            } finally {
                if (local != null) {
                    local.close();
                }
            }
        } finally {
            deleteQuietly(archive, events);
        }
    }

    private static PackedContext pack(BuildRequest request, Path archive, BuildEvents events)
            throws ContextException {
        long start = System.nanoTime();
        try {
            PackedContext context = new ContextPacker().pack(request.contextDirectory(), request.dockerfile(),
                    archive, List.of(request.workDirectory()));
            events.info(String.format("Packed context %s: %d entries, %s (%s compressed) in %d ms, sha256 %s",
                    request.contextDirectory(), context.entryCount(), bytes(context.uncompressedBytes()),
                    bytes(context.compressedSize()), (System.nanoTime() - start) / 1_000_000,
                    context.sha256().substring(0, 12)));
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + archive, e);
        }
    }

    private static Stager openStager(BuildRequest request, MesosMaster master, boolean local, SecureRandom random,
                                     BuildEvents events) throws StagingException {
        if (request.stagingUri() != null) {
            events.info("Staging on " + request.stagingUri());
            HadoopStaging staging = new HadoopStaging(request.stagingUri(), request.hadoopConfDir(),
                    request.hadoopProperties(), request.fetchUriBase());
            return HadoopStager.open(staging, System.getenv(), random, StagingListener.of(events::info, events::warn),
                    Clock.systemUTC());
        }
        InetAddress address = local ? InetAddress.getLoopbackAddress() : addressTowards(master);
        return HttpStager.start(address, random);
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
            throw new StagingException("Cannot resolve the Mesos master host " + host + "; check <mesosMaster>", e);
        } catch (SocketException e) {
            throw new StagingException("Cannot find an address of this machine that the Mesos master " + host
                    + " can reach to fetch the build context: " + e.getMessage()
                    + "; set <stagingUri> to stage on a shared filesystem instead", e);
        }
    }

    private static BuildResult schedule(BuildRequest request, MesosMaster master, PackedContext context,
                                        StagedFile jar, StagedFile staged, BuildEvents events)
            throws BuildException, InterruptedException {
        BuildSpec spec = BuildSpec.of(request.image().name(), request.tags(), context.dockerfile(), CONTEXT_FILE,
                request.push(), request.dockerHost());
        ExecutorLaunch executor = new ExecutorLaunch(List.of(
                new FetchUri(jar.uri().toString(), EXECUTOR_FILE, false, false),
                new FetchUri(staged.uri().toString(), CONTEXT_FILE, false, false)),
                EXECUTOR_COMMAND, EXECUTOR_CPUS, EXECUTOR_MEM_MB);
        BuildTask task = new BuildTask(request.primaryReference(), spec, request.buildCpu(),
                request.buildMemMb(), executor);
        FrameworkSettings framework = request.framework();
        SchedulerConfig config = SchedulerConfig.defaults(master, framework.user(), hostname())
                .withFrameworkName(framework.name())
                .withRole(framework.role())
                .withFailoverTimeout(framework.failoverTimeout())
                .withOfferTimeout(request.offerTimeout());
        events.info("Scheduling the build of " + request.primaryReference() + " on Mesos master " + master
                + " (cpus " + request.buildCpu() + ", mem " + request.buildMemMb() + " MB)");
        try (BuildRunner runner = BuildRunner.create(config)) {
            BuildOutcome outcome = runner.run(task, events);
            TaskResult result = outcome.result();
            if (!outcome.missingLogSeqs().isEmpty()) {
                events.warn(outcome.missingLogSeqs().size() + " build log lines were lost in transit; the full log "
                        + "is in the task's sandbox (stdout) on agent " + outcome.agentHostname());
            }
            return new BuildResult(request.image(), request.tags(),
                    result.imageId(), result.digest(), result.sizeBytes(), outcome.agentHostname());
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path file, BuildEvents events) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            events.warn("Could not remove " + file + ": " + e.getMessage());
        }
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KB", n / 1024.0);
        }
        return String.format("%.1f MB", n / (1024.0 * 1024));
    }
}
