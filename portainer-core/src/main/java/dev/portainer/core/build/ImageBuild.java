package dev.portainer.core.build;

import dev.portainer.core.auth.RegistryAuth;
import dev.portainer.core.auth.SealedCredentials;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.ContextPackListener;
import dev.portainer.core.context.DockerfileLocation;
import dev.portainer.core.context.DockerfileTransform;
import dev.portainer.core.dockerfile.Dockerfile;
import dev.portainer.core.dockerfile.DockerfileRewrite;
import dev.portainer.core.dockerfile.PortainerInstructions;
import dev.portainer.core.leftovers.Leftovers;
import dev.portainer.core.mesos.PlainHttpOnly;
import dev.portainer.core.context.PackedContext;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.core.scheduler.BuildCancelledException;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildRunner;
import dev.portainer.core.scheduler.BuildTask;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.scheduler.EarlySubscription;
import dev.portainer.core.scheduler.ExecutorLaunch;
import dev.portainer.core.scheduler.FetchUri;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.mesos.scheduler.MasterDetector;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.scheduler.TaskOutcome;
import dev.portainer.core.mesos.scheduler.ZooKeeperAddress;
import dev.portainer.core.mesos.scheduler.ZooKeeperMasterDetector;
import dev.portainer.core.mesos.scheduler.TrustedCertificates;
import dev.portainer.core.staging.HadoopStager;
import dev.portainer.core.staging.HadoopStaging;
import dev.portainer.core.staging.HttpStager;
import dev.portainer.core.staging.LocalFileStager;
import dev.portainer.core.staging.StagedFile;
import dev.portainer.core.staging.StagedSecret;
import dev.portainer.core.staging.Stager;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.StagingListener;
import dev.portainer.core.wire.BuildSpec;
import dev.portainer.core.wire.EphemeralDaemon;
import dev.portainer.core.wire.CredentialsRef;
import dev.portainer.core.wire.TaskResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Image builds, from the context directories to pushed images: pack, stage, schedule on Mesos (several images as
 * tasks of one framework), report. Whatever happens, the packed contexts and staged files are removed and nothing
 * keeps running on the cluster.
 */
public final class ImageBuild {
    static final String CONTEXT_FILE = "context.tar.gz";
    static final String EXECUTOR_FILE = "portainer-executor.jar";
    static final String CREDENTIALS_FILE = "credentials.sealed";
    /** The packed contexts in the work directory: {@code context-pid<pid>-<uuid>.tar.gz}, see {@link Leftovers}. */
    static final String PACKED_CONTEXT = "context-";
    /** What the executor JVM itself asks for, on top of the build's own cpus and memory. */
    static final double EXECUTOR_CPUS = 0.1;
    static final double EXECUTOR_MEM_MB = 192;
    /**
     * Starts the executor with the agent's Java; small heap and quick start-up flags, because it only streams.
     * The sandbox is the working directory, where the fetcher put the jar.
     */
    static final String EXECUTOR_COMMAND = "exec \"${JAVA_HOME:+$JAVA_HOME/bin/}java\" "
            + ExecutorClassData.JAVA_OPTIONS + " -jar " + EXECUTOR_FILE;
    /**
     * In a container the working directory is the image's, not the sandbox: Mesos's Docker containerizer mounts the
     * sandbox at {@code $MESOS_SANDBOX} (/mnt/mesos/sandbox) and runs the command with {@code /bin/sh -c}.
     */
    static final String CONTAINER_EXECUTOR_COMMAND = "cd \"$MESOS_SANDBOX\" && " + EXECUTOR_COMMAND;

    /**
     * The embedded agent runs on this machine: the executor gets this JVM's own {@code java} (known to be a Java this
     * plugin runs on) and, once there is one, the class-data archive made for exactly that Java.
     */
    static String localExecutorCommand(ExecutorClassData classData) {
        return "exec " + shellQuote(ExecutorClassData.java().toString()) + " " + classData.javaOptions()
                + ExecutorClassData.JAVA_OPTIONS + " -jar " + EXECUTOR_FILE;
    }

    /**
     * {@link #localExecutorCommand} as the embedded agent starts it ahead of its launch: the same java, options and
     * jar (linked into the standby's directory as into a sandbox, which keeps the class-data archive valid), and
     * {@code --standby}.
     */
    static List<String> localStandbyCommand(ExecutorClassData classData, ExecutorJarFile executor) {
        List<String> command = new ArrayList<>(List.of(ExecutorClassData.java().toString()));
        command.addAll(classData.javaArguments());
        command.addAll(List.of(ExecutorClassData.JAVA_OPTIONS.split(" ")));
        // The executor's ExecutorMain.STANDBY_FLAG (core does not depend on the executor module).
        command.addAll(List.of("-jar", executor.jar().getFileName().toString(), "--standby"));
        return command;
    }

    /** {@code value} as one word for {@code sh -c}. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** How long to wait for ZooKeeper when the master is a {@code zk://} address. */
    static final java.time.Duration ZOOKEEPER_TIMEOUT = java.time.Duration.ofSeconds(15);

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
        ImageOutcome only = runAll(List.of(request), false, events, launcher).get(0);
        if (only.failure() != null) {
            throw only.failure();
        }
        return only.result();
    }

    /**
     * Builds several images in one Mesos framework: every context is packed and staged first (a wrong context fails
     * at once, before anything is scheduled), then all builds are queued together and run in parallel on the offers
     * that fit. The run-wide settings (master, staging, framework, offer and build timeouts, constraints, retries,
     * Mesos access) are the first request's; each request brings its own context, Dockerfile, image, tags,
     * resources, build options and registry credentials.
     *
     * @param requests the images, with distinct image names
     * @param failFast stop the other builds as soon as one fails, rather than letting them finish
     * @return how each image ended, in the order given
     * @throws ContextException a context or Dockerfile is wrong (the user's to fix); nothing was scheduled
     * @throws StagingException the files could not be staged for the agents; nothing was scheduled
     * @throws BuildException   the cluster could not be used at all (ZooKeeper, the embedded master)
     */
    public static List<ImageOutcome> runAll(List<BuildRequest> requests, boolean failFast, BuildEvents events,
                                            LocalMaster.Launcher launcher)
            throws ContextException, StagingException, BuildException, InterruptedException {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("nothing to build");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (BuildRequest request : requests) {
            if (!names.add(request.image().name())) {
                throw new IllegalArgumentException("image " + request.image().name() + " is listed twice; give each "
                        + "element of <images> its own <image>");
            }
        }
        // Before anything can fail: an old digest left next to a failed build would look like this build's.
        Map<String, String> stems = BuildResultFiles.stems(requests.stream().map(BuildRequest::image).toList());
        for (BuildRequest request : requests) {
            BuildResultFiles.clear(request.workDirectory(), stems.get(request.image().name()));
            // a single build named its results by the short stem before: a stale one would look current
            BuildResultFiles.clear(request.workDirectory(), request.image());
        }
        BuildEvents safeEvents = NeverFailingEvents.wrap(events);
        try (CancelOnShutdown guard = CancelOnShutdown.install(safeEvents)) {
            return run(List.copyOf(requests), failFast, safeEvents, launcher, guard);
        }
    }

    /**
     * The build, with each clean-up step wrapped by the shutdown guard so that a Ctrl-C cancels it and, should this
     * thread be stuck, the guard's hook can finish the clean-up.
     */
    static BuildResult run(BuildRequest request, BuildEvents events, LocalMaster.Launcher launcher,
                           CancelOnShutdown guard)
            throws ContextException, StagingException, BuildException, InterruptedException {
        ImageOutcome only = run(List.of(request), false, events, launcher, guard).get(0);
        if (only.failure() != null) {
            throw only.failure();
        }
        return only.result();
    }

    static List<ImageOutcome> run(List<BuildRequest> requests, boolean failFast, BuildEvents events,
                                  LocalMaster.Launcher launcher, CancelOnShutdown guard)
            throws ContextException, StagingException, BuildException, InterruptedException {
        BuildRequest request = requests.get(0);
        // zk://: the leader is looked up now and again whenever the connection to it is lost.
        MasterDetector zookeeper = !request.localMaster() && ZooKeeperAddress.isZooKeeper(request.mesosMaster())
                ? ZooKeeperMasterDetector.connect(ZooKeeperAddress.parse(request.mesosMaster()), ZOOKEEPER_TIMEOUT)
                : null;
        CancelOnShutdown.Step stopZooKeeper = zookeeper == null ? null
                : guard.cleanup("stop watching ZooKeeper", zookeeper::close);
        try {
            return run(requests, failFast, events, launcher, guard, zookeeper);
        } finally {
            if (stopZooKeeper != null) {
                runStep(stopZooKeeper);
            }
        }
    }

    private static List<ImageOutcome> run(List<BuildRequest> requests, boolean failFast, BuildEvents events,
                                          LocalMaster.Launcher launcher, CancelOnShutdown guard,
                                          MasterDetector zookeeper)
            throws ContextException, StagingException, BuildException, InterruptedException {
        BuildRequest request = requests.get(0);
        boolean several = requests.size() > 1;
        MesosMaster remote = request.localMaster() ? null
                : zookeeper != null ? zookeeper.leader() : MesosMaster.parse(request.mesosMaster());
        if (zookeeper != null) {
            events.info("ZooKeeper " + zookeeper.address() + " names " + remote.baseUri() + " as the leading Mesos "
                    + "master");
        }
        SecureRandom random = new SecureRandom();
        List<CancelOnShutdown.Step> deleteArchives = new ArrayList<>();
        CancelOnShutdown.Step stopLocal = null;
        EarlySubscription early = null;
        SchedulerConfig config = null;
        CancelOnShutdown.Step dropEarly = null;
        ExecutorClassData classData = null;
        LocalMaster local = null;
        CancelOnShutdown.Step stopTraining = null;
        try {
            MesosMaster master = remote;
            if (request.localMaster()) {
                stopIfStopping(guard);
                events.info("Starting the embedded single-node Mesos (mesosMaster=local)");
                try {
                    local = launcher.start();
                } catch (IOException e) {
                    throw new ClusterException("Cannot start the embedded Mesos: " + e.getMessage(), e);
                }
                stopLocal = guard.cleanup("stop the embedded Mesos", local::close);
                master = new MesosMaster(MesosMaster.LOCAL, local.uri());
                // The embedded master serves this build alone: subscribe while the contexts are packed and staged;
                // its offers are kept for the tasks. (On a real cluster a framework is only registered once the
                // contexts are known to be good.)
                config = schedulerConfig(request, master, zookeeper);
                if (local.credential() != null) {
                    // the embedded master answers only the scheduler holding this build's own credential
                    config = config.withCredential(local.credential());
                }
                early = EarlySubscription.start(config, Clock.systemUTC());
                dropEarly = guard.cleanup("tear down the Mesos framework", early::close);
            }
            ExecutorJarFile executor = request.executorJar();
            // On the embedded agent the executor runs with this JVM's java, from a class-data archive once there is
            // one (the first build makes it alongside), and its JVM starts now, while the contexts are packed.
            if (request.localMaster()) {
                classData = ExecutorClassData.open(executor, events);
                stopTraining = guard.cleanup("stop making the executor's class-data archive", classData::cancel);
                if (requests.stream().anyMatch(r -> r.docker().containerImage() == null)) {
                    local.prepareExecutor(localExecutorCommand(classData), localStandbyCommand(classData, executor),
                            executor.jar().toAbsolutePath());
                }
            }
            String localCommand = classData == null ? null : localExecutorCommand(classData);
            List<PackedContext> contexts = new ArrayList<>();
            Leftovers leftovers = Leftovers.ofThisProcess();
            for (BuildRequest r : requests) {
                Path archive = r.workDirectory().resolve(leftovers.prefix(PACKED_CONTEXT) + UUID.randomUUID()
                        + ".tar.gz");
                // The partial archive too: a SIGTERM while packing ends the JVM without the packer's own clean-up.
                deleteArchives.add(guard.cleanup("remove " + archive, () -> {
                    deleteQuietly(archive, events);
                    deleteQuietly(ContextPacker.partialFile(archive), events);
                }));
                contexts.add(pack(r, archive, events));
            }
            removeContextsOfKilledBuilds(contexts, leftovers, events);
            String executorSha = executor.sha256() != null ? executor.sha256() : sha256(executor.jar());
            stopIfStopping(guard);
            Stager stager = openStager(request, master, request.localMaster(), random, events);
            CancelOnShutdown.Step closeStager = guard.cleanup("remove the staged files", stager::close);
            try {
                StagedFile jar = stager.stageSharedFile(executor.jar(), EXECUTOR_FILE, executorSha);
                List<BuildTask> tasks = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    BuildRequest r = requests.get(i);
                    PackedContext context = contexts.get(i);
                    // Staged side by side: each image's files need a name of their own (the sandbox names stay
                    // the same, each task has its own sandbox).
                    String suffix = several ? "-" + (i + 1) : "";
                    StagedFile staged = stager.stageBuildFile(context.archive(),
                            several ? "context" + suffix + ".tar.gz" : CONTEXT_FILE, context.sha256());
                    CredentialsRef credentials = null;
                    StagedSecret secret = null;
                    if (!r.credentials().isEmpty()) {
                        SealedCredentials sealed = SealedCredentials.seal(r.credentials(), random);
                        secret = stager.stageSecret(sealed.ciphertext(),
                                several ? "credentials" + suffix + ".sealed" : CREDENTIALS_FILE);
                        credentials = secret.viaFetcher()
                                ? new CredentialsRef(null, CREDENTIALS_FILE, sealed.key().reveal())
                                : new CredentialsRef(secret.uri().toString(), null, sealed.key().reveal());
                        events.info("Registry credentials" + (several ? " of " + r.image().name() : "") + ": "
                                + describe(r.credentials()));
                    }
                    tasks.add(task(r, context, jar, staged, credentials,
                            secret != null && secret.viaFetcher() ? secret : null, localCommand, events));
                }
                return schedule(requests, tasks, failFast, master, events, guard,
                        config != null ? config : schedulerConfig(request, master, zookeeper), early);
            } finally {
                runStep(closeStager);
            }
        } finally {
            // A subscription no run took over is torn down before the master it is on stops.
            if (dropEarly != null) {
                runStep(dropEarly);
            }
            if (stopLocal != null) {
                runStep(stopLocal);
            }
            if (classData != null) {
                classData.close();
                runStep(stopTraining);
            }
            deleteArchives.forEach(ImageBuild::runStep);
        }
    }

    /**
     * The packed contexts (and {@code .part} files) that builds killed before their clean-up left in these contexts'
     * work directories; never those of a build still running, in this JVM ({@code mvn -T}) or another.
     */
    private static void removeContextsOfKilledBuilds(List<PackedContext> contexts, Leftovers leftovers,
                                                     BuildEvents events) {
        java.util.Set<Path> swept = new java.util.HashSet<>();
        for (PackedContext context : contexts) {
            Path directory = context.archive().getParent();
            if (!swept.add(directory)) {
                continue;
            }
            try {
                // Compared with the owner of what this build just wrote: this user's files only.
                List<Path> removed = leftovers.removeDead(directory, PACKED_CONTEXT,
                        Files.getOwner(context.archive()));
                if (!removed.isEmpty()) {
                    events.info("Removed what a killed build left in " + directory + ": " + removed.stream()
                            .map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> a + ", " + b).orElse(""));
                }
            } catch (IOException e) {
                // Nothing to compare owners with: leave everything.
            }
        }
    }

    private static void stopIfStopping(CancelOnShutdown guard) throws BuildCancelledException {
        if (guard.stopping()) {
            throw new BuildCancelledException("The build was cancelled: the JVM is stopping");
        }
    }

    /** Runs a clean-up step on this thread; its own failures are unchecked or already reported. */
    private static void runStep(CancelOnShutdown.Step step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static PackedContext pack(BuildRequest request, Path archive, BuildEvents events)
            throws ContextException {
        long start = System.nanoTime();
        try {
            ContextPacker.Builder packer = ContextPacker.builder().listener(new ContextPackListener() {
                @Override
                public void skipped(String path, String reason) {
                    events.warn("Left out of the build context: " + path + " (" + reason + ")");
                }
            });
            if (request.reproducibleTime() != null) {
                packer.reproducible(request.reproducibleTime());
            }
            DockerfileLocation dockerfile = DockerfileLocation.find(request.contextDirectory(), null,
                    request.dockerfile());
            if (dockerfile.outsideContext()) {
                events.info("Dockerfile " + dockerfile.file() + " is outside the context: sent along with it, as"
                        + " docker build -f does");
            }
            PackedContext context = packer.build().pack(dockerfile, archive, List.of(request.workDirectory()),
                    dockerfileFor(request, events));
            events.info(String.format("Packed context %s: %d entries, %s (%s compressed) in %d ms, sha256 %s",
                    request.contextDirectory(), context.entryCount(), bytes(context.uncompressedBytes()),
                    bytes(context.compressedSize()), (System.nanoTime() - start) / 1_000_000,
                    context.sha256().substring(0, 12)));
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + archive, e);
        }
    }

    /** Strips the original Portainer's instructions and applies {@code pullRegistry}, in the packed copy only. */
    private static DockerfileTransform dockerfileFor(BuildRequest request, BuildEvents events) {
        return (path, original) -> {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(original)).toString();
            } catch (CharacterCodingException e) {
                // Not UTF-8: Docker reads it as bytes; there is nothing Portainer could safely rewrite.
                if (request.docker().pullRegistry() != null) {
                    events.warn("Dockerfile " + path + " is not UTF-8; <pullRegistry> is not applied to it");
                }
                return original;
            }
            Dockerfile dockerfile = Dockerfile.parse(text);
            PortainerInstructions portainer = PortainerInstructions.of(dockerfile);
            DockerfileRewrite.Result result = DockerfileRewrite.rewrite(dockerfile, request.docker().pullRegistry(),
                    request.docker().options().buildArgs());
            if (portainer.any()) {
                events.info("Dockerfile " + path + ": " + portainer.found().stream()
                        .map(i -> i.keyword() + " " + i.arguments() + " (line " + i.lineNumber() + ")")
                        .reduce((a, b) -> a + ", " + b).orElse("")
                        + " read by Portainer and left out of what Docker gets");
            }
            result.notes().forEach(note -> events.info("pullRegistry " + request.docker().pullRegistry() + ": "
                    + note));
            result.warnings().forEach(events::warn);
            return result.changed() ? result.text().getBytes(StandardCharsets.UTF_8) : original;
        };
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
        if (local) {
            return new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(), random));
        }
        return HttpStager.start(addressTowards(master), random);
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

    /** @param localCommand how the embedded agent starts the executor on the host, or null for a real cluster */
    private static BuildTask task(BuildRequest request, PackedContext context, StagedFile jar, StagedFile staged,
                                  CredentialsRef credentials, StagedSecret fetchedSecret, String localCommand,
                                  BuildEvents events) {
        DockerSettings docker = request.docker();
        boolean inContainer = docker.containerImage() != null;
        BuildSpec spec = BuildSpec.of(request.image().name(), request.tags(), context.dockerfile(), CONTEXT_FILE,
                request.push(), request.dockerHost())
                .with(docker.options(), inContainer ? new EphemeralDaemon(docker.insecureRegistries()) : null)
                .withCredentials(credentials);
        List<FetchUri> uris = new ArrayList<>(List.of(
                new FetchUri(jar.uri().toString(), EXECUTOR_FILE, false, false),
                new FetchUri(staged.uri().toString(), CONTEXT_FILE, false, false)));
        if (fetchedSecret != null) {
            // Never cached: the fetcher's cache would keep a copy outside the sandbox.
            uris.add(new FetchUri(fetchedSecret.uri().toString(), CREDENTIALS_FILE, false, false));
        }
        ExecutorLaunch executor = new ExecutorLaunch(uris,
                inContainer ? CONTAINER_EXECUTOR_COMMAND : localCommand != null ? localCommand : EXECUTOR_COMMAND,
                EXECUTOR_CPUS, EXECUTOR_MEM_MB,
                docker.containerImage());
        if (inContainer) {
            events.info("The executor of " + request.image().name() + " runs in container image "
                    + docker.containerImage() + " with its own Docker daemon (Docker-in-Docker)");
        }
        return new BuildTask(request.primaryReference(), spec, request.buildCpu(), request.buildMemMb(), executor);
    }

    /** How this build registers with {@code master}: the run-wide settings are the first request's. */
    private static SchedulerConfig schedulerConfig(BuildRequest request, MesosMaster master,
                                                   MasterDetector zookeeper) {
        FrameworkSettings framework = request.framework();
        return SchedulerConfig.defaults(master, framework.user(), hostname())
                .withFrameworkName(framework.name())
                .withRole(framework.role())
                .withFailoverTimeout(framework.failoverTimeout())
                .withOfferTimeout(request.offerTimeout())
                .withBuildTimeout(request.timeout())
                .withConstraints(request.constraints())
                .withRetries(request.retries())
                .withDetector(zookeeper)
                .withCredential(request.mesosAccess().credential())
                .withSslContext(request.localMaster() ? PlainHttpOnly.context()
                        : request.mesosAccess().caCertificate() == null ? null
                        : TrustedCertificates.fromPem(request.mesosAccess().caCertificate()));
    }

    /**
     * @param config how to register, the one {@code early} subscribed with if there is one
     * @param early  the subscription made while the tasks were prepared, or null to subscribe now
     */
    private static List<ImageOutcome> schedule(List<BuildRequest> requests, List<BuildTask> tasks, boolean failFast,
                                               MesosMaster master, BuildEvents events, CancelOnShutdown guard,
                                               SchedulerConfig config, EarlySubscription early)
            throws InterruptedException {
        for (BuildRequest r : requests) {
            events.info("Scheduling the build of " + r.primaryReference() + " on Mesos master " + master
                    + " (cpus " + r.buildCpu() + ", mem " + r.buildMemMb() + " MB)");
        }
        try (BuildRunner runner = BuildRunner.create(config)) {
            guard.cleanup("tear down the Mesos framework", runner::abort);
            guard.onCancel(() -> runner.cancelNow("The build was cancelled: the JVM is stopping (Ctrl-C or SIGTERM)"));
            List<TaskOutcome> outcomes = runner.runAll(tasks, failFast, events, early);
            List<ImageOutcome> images = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                BuildRequest r = requests.get(i);
                TaskOutcome o = outcomes.get(i);
                if (o.failure() != null) {
                    images.add(new ImageOutcome(r, null, o.failure(), o.elapsed()));
                    continue;
                }
                TaskResult result = o.outcome().result();
                // Lines lost for good were already reported by the run, with where the full log is.
                images.add(new ImageOutcome(r, new BuildResult(r.image(), r.tags(), result.imageId(), result.digest(),
                        result.sizeBytes(), o.outcome().agentHostname(), result.digests()), null, o.elapsed()));
            }
            return images;
        }
    }

    /** Which registries have credentials and where they came from; never the secrets. */
    private static String describe(RegistryAuth auth) {
        List<String> parts = new ArrayList<>();
        if (auth.push() != null) {
            parts.add("push to " + auth.push().registry() + " as '" + auth.push().username() + "' from "
                    + auth.push().source());
        }
        new TreeMap<>(auth.pull()).values().forEach(c -> parts.add("pull from " + c.registry() + " as '"
                + c.username() + "' from " + c.source()));
        return String.join("; ", parts);
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
