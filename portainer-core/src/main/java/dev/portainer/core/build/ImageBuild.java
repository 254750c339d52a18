package dev.portainer.core.build;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import dev.portainer.core.auth.RegistryAuth;
import dev.portainer.core.auth.SealedCredentials;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.ContextPackListener;
import dev.portainer.core.context.DockerfileLocation;
import dev.portainer.core.context.DockerfileTransform;
import dev.portainer.core.dockerfile.PreparedDockerfile;
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
import dev.portainer.core.scheduler.MesosMaster;
import dev.portainer.core.scheduler.MasterDetector;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.scheduler.TaskOutcome;
import dev.portainer.core.scheduler.ZooKeeperAddress;
import dev.portainer.core.scheduler.ZooKeeperMasterDetector;
import dev.portainer.core.scheduler.TrustedCertificates;
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
     * Builds the images of a run in one Mesos framework: every context is packed and staged first (a wrong context
     * fails at once, before anything is scheduled), then all builds are queued together and run in parallel on the
     * offers that fit. One image is a run of one.
     *
     * @param plan     the run's settings and its images
     * @param events   where progress and Docker's log go
     * @param launcher starts the embedded master when the plan's master is {@code local}
     * @return how each image ended, in the order given: its result, or its failure ({@code BuildFailedException}:
     *         Docker's error; {@code ClusterException}: the cluster failed it; a cancellation)
     * @throws ContextException a context or Dockerfile is wrong (the user's to fix); nothing was scheduled
     * @throws StagingException the files could not be staged for the agents; nothing was scheduled
     * @throws BuildException   the cluster could not be used at all (ZooKeeper, the embedded master)
     */
    public static List<ImageOutcome> run(BuildPlan plan, BuildEvents events, LocalMaster.Launcher launcher)
            throws ContextException, StagingException, BuildException, InterruptedException {
        RunSettings settings = plan.settings();
        List<ImageSpec> images = plan.images();
        // Before anything can fail: an old digest left next to a failed build would look like this build's.
        Map<String, String> stems = BuildResultFiles.stems(images.stream().map(ImageSpec::image).toList());
        for (ImageSpec image : images) {
            BuildResultFiles.clear(settings.workDirectory(), stems.get(image.image().name()));
            // a single build named its results by the short stem before: a stale one would look current
            BuildResultFiles.clear(settings.workDirectory(), image.image());
        }
        BuildEvents safeEvents = NeverFailingEvents.wrap(events);
        try (CancelOnShutdown guard = CancelOnShutdown.install(safeEvents)) {
            return run(settings, List.copyOf(images), safeEvents, launcher, guard);
        }
    }

    /**
     * The build, with each clean-up step wrapped by the shutdown guard so that a Ctrl-C cancels it and, should this
     * thread be stuck, the guard's hook can finish the clean-up.
     */
    static List<ImageOutcome> run(RunSettings settings, List<ImageSpec> images, BuildEvents events,
                                  LocalMaster.Launcher launcher, CancelOnShutdown guard)
            throws ContextException, StagingException, BuildException, InterruptedException {
        // zk://: the leader is looked up now and again whenever the connection to it is lost.
        MasterDetector zookeeper = !settings.localMaster() && ZooKeeperAddress.isZooKeeper(settings.mesosMaster())
                ? ZooKeeperMasterDetector.connect(ZooKeeperAddress.parse(settings.mesosMaster()), ZOOKEEPER_TIMEOUT)
                : null;
        CancelOnShutdown.Step stopZooKeeper = zookeeper == null ? null
                : guard.cleanup("stop watching ZooKeeper", zookeeper::close);
        try {
            return run(settings, images, events, launcher, guard, zookeeper);
        } finally {
            if (stopZooKeeper != null) {
                runStep(stopZooKeeper);
            }
        }
    }

    private static List<ImageOutcome> run(RunSettings settings, List<ImageSpec> images, BuildEvents events,
                                          LocalMaster.Launcher launcher, CancelOnShutdown guard,
                                          MasterDetector zookeeper)
            throws ContextException, StagingException, BuildException, InterruptedException {
        boolean several = images.size() > 1;
        MesosMaster remote = settings.localMaster() ? null
                : zookeeper != null ? zookeeper.leader() : MesosMaster.parse(settings.mesosMaster());
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
            if (settings.localMaster()) {
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
                config = schedulerConfig(settings, master, zookeeper);
                if (local.credential() != null) {
                    // the embedded master answers only the scheduler holding this build's own credential
                    config = config.withCredential(local.credential());
                }
                early = EarlySubscription.start(config, Clock.systemUTC());
                dropEarly = guard.cleanup("tear down the Mesos framework", early::close);
            }
            ExecutorJarFile executor = settings.executorJar();
            // On the embedded agent the executor runs with this JVM's java, from a class-data archive once there is
            // one (the first build makes it alongside), and its JVM starts now, while the contexts are packed.
            if (settings.localMaster()) {
                classData = ExecutorClassData.open(executor, events);
                stopTraining = guard.cleanup("stop making the executor's class-data archive", classData::cancel);
                if (settings.containerImage() == null) {
                    local.prepareExecutor(localExecutorCommand(classData), localStandbyCommand(classData, executor),
                            executor.jar().toAbsolutePath());
                }
            }
            String localCommand = classData == null ? null : localExecutorCommand(classData);
            List<PackedContext> contexts = new ArrayList<>();
            Leftovers leftovers = Leftovers.ofThisProcess();
            for (ImageSpec image : images) {
                Path archive = settings.workDirectory().resolve(leftovers.prefix(PACKED_CONTEXT) + UUID.randomUUID()
                        + ".tar.gz");
                // The partial archive too: a SIGTERM while packing ends the JVM without the packer's own clean-up.
                deleteArchives.add(guard.cleanup("remove " + archive, () -> {
                    deleteQuietly(archive, events);
                    deleteQuietly(ContextPacker.partialFile(archive), events);
                }));
                contexts.add(pack(settings, image, archive, events));
            }
            removeContextsOfKilledBuilds(contexts, leftovers, events);
            String executorSha = executor.sha256() != null ? executor.sha256() : sha256(executor.jar());
            stopIfStopping(guard);
            Stager stager = openStager(settings, master, random, events);
            CancelOnShutdown.Step closeStager = guard.cleanup("remove the staged files", stager::close);
            try {
                StagedFile jar = stager.stageSharedFile(executor.jar(), EXECUTOR_FILE, executorSha);
                List<BuildTask> tasks = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    ImageSpec image = images.get(i);
                    PackedContext context = contexts.get(i);
                    // Staged side by side: each image's files need a name of their own (the sandbox names stay
                    // the same, each task has its own sandbox).
                    String suffix = several ? "-" + (i + 1) : "";
                    StagedFile staged = stager.stageBuildFile(context.archive(),
                            several ? "context" + suffix + ".tar.gz" : CONTEXT_FILE, context.sha256());
                    CredentialsRef credentials = null;
                    StagedSecret secret = null;
                    if (!image.credentials().isEmpty()) {
                        SealedCredentials sealed = SealedCredentials.seal(image.credentials(), random);
                        secret = stager.stageSecret(sealed.ciphertext(),
                                several ? "credentials" + suffix + ".sealed" : CREDENTIALS_FILE);
                        credentials = secret.viaFetcher()
                                ? new CredentialsRef(null, CREDENTIALS_FILE, sealed.key().reveal())
                                : new CredentialsRef(secret.uri().toString(), null, sealed.key().reveal());
                        events.info("Registry credentials" + (several ? " of " + image.image().name() : "") + ": "
                                + describe(image.credentials()));
                    }
                    tasks.add(task(settings, image, context, jar, staged, credentials,
                            secret != null && secret.viaFetcher() ? secret : null, localCommand, events));
                }
                return schedule(settings, images, tasks, master, events, guard,
                        config != null ? config : schedulerConfig(settings, master, zookeeper), early);
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

    private static PackedContext pack(RunSettings settings, ImageSpec image, Path archive, BuildEvents events)
            throws ContextException {
        long start = System.nanoTime();
        try {
            ContextPacker.Builder packer = ContextPacker.builder().listener(new ContextPackListener() {
                @Override
                public void skipped(String path, String reason) {
                    events.warn("Left out of the build context: " + path + " (" + reason + ")");
                }
            });
            if (settings.reproducibleTime() != null) {
                packer.reproducible(settings.reproducibleTime());
            }
            DockerfileLocation dockerfile = DockerfileLocation.find(image.contextDirectory(), null,
                    image.dockerfile());
            if (dockerfile.outsideContext()) {
                events.info("Dockerfile " + dockerfile.file() + " is outside the context: sent along with it, as"
                        + " docker build -f does");
            }
            PackedContext context = packer.build().pack(dockerfile, archive, List.of(settings.workDirectory()),
                    dockerfileFor(settings, image, events));
            events.info(String.format("Packed context %s: %d entries, %s (%s compressed) in %d ms, sha256 %s",
                    image.contextDirectory(), context.entryCount(), bytes(context.uncompressedBytes()),
                    bytes(context.compressedSize()), (System.nanoTime() - start) / 1_000_000,
                    context.sha256().substring(0, 12)));
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + archive, e);
        }
    }

    /**
     * The Dockerfile Docker gets, as prepared when the configuration was read (or now, for a request made without
     * it): the packed copy says what the image name, resources and credentials were derived from, even if the file
     * changed since.
     */
    private static DockerfileTransform dockerfileFor(RunSettings settings, ImageSpec image, BuildEvents events) {
        return (path, original) -> {
            PreparedDockerfile prepared = image.prepared() != null ? image.prepared()
                    : PreparedDockerfile.of(path, original, settings.pullRegistry(), image.options().buildArgs());
            prepared.notes().forEach(events::info);
            prepared.warnings().forEach(warning -> events.warn(warning));
            return prepared.forDocker();
        };
    }

    private static Stager openStager(RunSettings settings, MesosMaster master, SecureRandom random,
                                     BuildEvents events) throws StagingException {
        if (settings.hadoopStaging() != null) {
            HadoopStaging staging = settings.hadoopStaging();
            events.info("Staging on " + staging.stagingUri());
            return HadoopStager.open(staging, System.getenv(), random, StagingListener.of(events::info, events::warn),
                    Clock.systemUTC());
        }
        if (settings.localMaster()) {
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
            throw new StagingException(Message.of("Cannot resolve the Mesos master host ", host, "; check ",
                    Setting.MESOS_MASTER.named()), e);
        } catch (SocketException e) {
            throw new StagingException(Message.of("Cannot find an address of this machine that the Mesos master ",
                    host, " can reach to fetch the build context: ", e.getMessage(), "; set ", Setting.STAGING_URI
                    .named(), " to stage on a shared filesystem instead"), e);
        }
    }

    /** @param localCommand how the embedded agent starts the executor on the host, or null for a real cluster */
    private static BuildTask task(RunSettings settings, ImageSpec image, PackedContext context, StagedFile jar,
                                  StagedFile staged,
                                  CredentialsRef credentials, StagedSecret fetchedSecret, String localCommand,
                                  BuildEvents events) {
        boolean inContainer = settings.containerImage() != null;
        BuildSpec spec = BuildSpec.of(image.image().name(), image.tags(), context.dockerfile(), CONTEXT_FILE,
                settings.push(), settings.dockerHost())
                .with(image.options(), inContainer ? new EphemeralDaemon(settings.insecureRegistries()) : null)
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
                settings.containerImage());
        if (inContainer) {
            events.info("The executor of " + image.image().name() + " runs in container image "
                    + settings.containerImage() + " with its own Docker daemon (Docker-in-Docker)");
        }
        return new BuildTask(image.primaryReference(), spec, image.cpus(), image.memMb(), executor);
    }

    /** How this run registers with {@code master}. */
    private static SchedulerConfig schedulerConfig(RunSettings settings, MesosMaster master,
                                                   MasterDetector zookeeper) {
        FrameworkSettings framework = settings.framework();
        return SchedulerConfig.defaults(master, framework.user(), hostname())
                .withFrameworkName(framework.name())
                .withRole(framework.role())
                .withFailoverTimeout(framework.failoverTimeout())
                .withOfferTimeout(settings.offerTimeout())
                .withBuildTimeout(settings.timeout())
                .withConstraints(settings.constraints())
                .withRetries(settings.retries())
                .withDetector(zookeeper)
                .withCredential(settings.mesosAccess().credential())
                .withSslContext(settings.localMaster() ? PlainHttpOnly.context()
                        : settings.mesosAccess().caCertificate() == null ? null
                        : TrustedCertificates.fromPem(settings.mesosAccess().caCertificate()));
    }

    /**
     * @param config how to register, the one {@code early} subscribed with if there is one
     * @param early  the subscription made while the tasks were prepared, or null to subscribe now
     */
    private static List<ImageOutcome> schedule(RunSettings settings, List<ImageSpec> images, List<BuildTask> tasks,
                                               MesosMaster master, BuildEvents events, CancelOnShutdown guard,
                                               SchedulerConfig config, EarlySubscription early)
            throws InterruptedException {
        for (ImageSpec image : images) {
            events.info("Scheduling the build of " + image.primaryReference() + " on Mesos master " + master
                    + " (cpus " + image.cpus() + ", mem " + image.memMb() + " MB)");
        }
        try (BuildRunner runner = BuildRunner.create(config)) {
            guard.cleanup("tear down the Mesos framework", runner::abort);
            guard.onCancel(() -> runner.cancelNow("The build was cancelled: the JVM is stopping (Ctrl-C or SIGTERM)"));
            List<TaskOutcome> outcomes = runner.runAll(tasks, settings.failFast(), events, early);
            List<ImageOutcome> ended = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                ImageSpec image = images.get(i);
                TaskOutcome o = outcomes.get(i);
                if (o.failure() != null) {
                    ended.add(new ImageOutcome(image, null, o.failure(), o.elapsed()));
                    continue;
                }
                TaskResult result = o.outcome().result();
                // Lines lost for good were already reported by the run, with where the full log is.
                ended.add(new ImageOutcome(image, new BuildResult(image.image(), image.tags(), result.imageId(),
                        result.digest(), result.sizeBytes(), o.outcome().agentHostname(), result.digests()), null,
                        o.elapsed()));
            }
            return ended;
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
