package dev.portainer.core.build;

import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.SealedCredentials;
import dev.portainer.core.scheduler.BuildTask;
import dev.portainer.core.scheduler.ExecutorLaunch;
import dev.portainer.core.scheduler.FetchUri;
import dev.portainer.core.staging.StagedFile;
import dev.portainer.core.staging.StagedSecret;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.staging.Stager;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.CredentialsRef;
import dev.portainer.wire.EphemeralDaemon;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * The stage step: the executor jar (shared, content-addressed), then each image's context and sealed credentials,
 * and the build task that fetches them; for a push of images built earlier, the jar and the credentials only.
 */
final class TaskStaging {
    /** A push task's own resources: the daemon does the pushing, the task only waits for it. */
    static final double PUSH_CPUS = 0.1;
    static final double PUSH_MEM_MB = 32;

    private final RunSettings settings;
    private final Cluster cluster;
    private final Stager stager;
    private final RunContext run;

    TaskStaging(RunSettings settings, Cluster cluster, Stager stager, RunContext run) {
        this.settings = settings;
        this.cluster = cluster;
        this.stager = stager;
        this.run = run;
    }

    /** The build tasks, in the images' order. */
    List<BuildTask> stageAll(List<ImageSpec> images, List<ContextArchive> contexts) throws StagingException {
        StagedJar jar = stageExecutor();
        boolean several = images.size() > 1;
        List<StagedFile> staged = new ArrayList<>();
        List<Sealed> sealed = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageSpec image = images.get(i);
            ContextArchive context = contexts.get(i);
            // Staged side by side: each image's files need a name of their own (the sandbox names stay the same,
            // each task has its own sandbox). One still being packed is read where it is written on this machine,
            // or served as it is written.
            String suffix = several ? "-" + (i + 1) : "";
            String name = several ? ExecutorCommands.CONTEXT_NAME + suffix + context.format().extension()
                    : ExecutorCommands.contextFile(context.format());
            if (!context.growing()) {
                staged.add(stager.stageBuildFile(context.archive(), name, context.packed().sha256()));
            } else {
                staged.add(stager.servesWhileWritten() ? stager.stageGrowingFile(context.archive(), name) : null);
            }
            sealed.add(seal(image.credentials(), image.image().name(), several, suffix));
        }
        boolean shared = several && executorReadsDirectly(sealed);
        if (shared) {
            run.events().debug("The " + images.size() + " builds share one executor per agent");
        }
        List<BuildTask> tasks = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            tasks.add(task(images.get(i), contexts.get(i), jar, staged.get(i), sealed.get(i).ref(),
                    sealed.get(i).fetched(), shared));
        }
        return tasks;
    }

    /**
     * Whether the builds of one run can share an executor per agent: a JVM then starts once per agent rather than
     * once per image. Mesos fetches an executor's URIs only when it starts, so the executor must get each task's
     * files itself: a context by path ({@code file:}, the embedded agent) or over HTTP (the
     * Maven JVM's stager), and credentials served once over HTTP. A Hadoop staging (the executor has no Hadoop
     * client) and Docker-in-Docker (a daemon per executor, started for one build) keep an executor per build.
     */
    private boolean executorReadsDirectly(List<Sealed> sealed) {
        if (settings.containerImage() != null) {
            return false;
        }
        return stager.executorReadsDirectly() && noneFetched(sealed);
    }

    /** Whether no image's credentials go through the Mesos fetcher, which a task on a running executor never gets. */
    private static boolean noneFetched(List<Sealed> sealed) {
        return sealed.stream().allMatch(s -> s.fetched() == null);
    }

    /**
     * The push tasks of images built earlier, in the images' order: the executor jar and the sealed credentials only
     * (nothing to build from), each bound to the agent whose daemon has its image.
     */
    List<BuildTask> stagePushes(List<ImageToPush> images) throws StagingException {
        StagedJar jar = stageExecutor();
        boolean several = images.size() > 1;
        List<Sealed> sealed = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            sealed.add(seal(images.get(i).credentials(), images.get(i).built().image().name(), several,
                    several ? "-" + (i + 1) : ""));
        }
        // Nothing of a push is fetched but fetched credentials: without them, the pushes on one agent share its
        // executor, as builds do.
        boolean shared = several && noneFetched(sealed);
        List<BuildTask> tasks = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageToPush image = images.get(i);
            BuildResult built = image.built();
            BuildSpec spec = BuildSpec.pushOf(built.image().name(), built.tags(), built.imageId(),
                    settings.dockerHost()).withCredentials(sealed.get(i).ref());
            List<FetchUri> uris = new ArrayList<>(List.of(jar.fetch()));
            if (sealed.get(i).fetched() != null) {
                uris.add(new FetchUri(sealed.get(i).fetched().uri().toString(), ExecutorCommands.CREDENTIALS_FILE,
                        false, false));
            }
            // Never in a container: the image is in the agent's own daemon, not in an executor's ephemeral one.
            ExecutorLaunch executor = new ExecutorLaunch(uris, cluster.executorCommand(false, jar.sha256()),
                    ExecutorCommands.EXECUTOR_CPUS, ExecutorCommands.EXECUTOR_MEM_MB, null, shared);
            tasks.add(new BuildTask(image.primaryReference(), spec, PUSH_CPUS, PUSH_MEM_MB, executor)
                    .onAgent(built.agent()));
        }
        return tasks;
    }

    /** The executor jar as staged, and its SHA-256 (which names its class-data archive on the agents). */
    private record StagedJar(StagedFile file, String sha256) {
        /** The jar's URI for the fetcher: cached on the agent when it is immutable (content-addressed). */
        FetchUri fetch() {
            return new FetchUri(file.uri().toString(), ExecutorCommands.EXECUTOR_FILE, false, false,
                    file.immutable());
        }
    }

    /** The executor jar, shared by every task and content-addressed, so that an unchanged jar is staged once. */
    private StagedJar stageExecutor() throws StagingException {
        ExecutorJarFile executor = settings.executorJar();
        String executorSha = executor.sha256() != null ? executor.sha256() : sha256(executor.jar());
        return new StagedJar(stager.stageSharedFile(executor.jar(), ExecutorCommands.EXECUTOR_FILE, executorSha),
                executorSha);
    }

    /**
     * An image's credentials, sealed for its task alone.
     *
     * @param ref     what the task description says of them, or null for none
     * @param fetched the secret when the Mesos fetcher puts it in the sandbox, else null (the executor reads it once
     *                from the staging server)
     */
    private record Sealed(CredentialsRef ref, StagedSecret fetched) {
    }

    private Sealed seal(RegistryAuth auth, String imageName, boolean several, String suffix)
            throws StagingException {
        if (auth.isEmpty()) {
            return new Sealed(null, null);
        }
        SealedCredentials sealed = SealedCredentials.seal(auth, run.random());
        StagedSecret secret = stager.stageSecret(sealed.ciphertext(),
                several ? "credentials" + suffix + ".sealed" : ExecutorCommands.CREDENTIALS_FILE);
        CredentialsRef ref = secret.viaFetcher()
                ? new CredentialsRef(null, ExecutorCommands.CREDENTIALS_FILE, sealed.key().reveal())
                : new CredentialsRef(secret.uri().toString(), null, sealed.key().reveal());
        run.events().info("Registry credentials" + (several ? " of " + imageName : "") + ": " + describe(auth));
        return new Sealed(ref, secret.viaFetcher() ? secret : null);
    }

    private BuildTask task(ImageSpec image, ContextArchive context, StagedJar jar, StagedFile staged,
                           CredentialsRef credentials, StagedSecret fetchedSecret, boolean shared) {
        boolean inContainer = settings.containerImage() != null;
        // Named for what it is: the daemon takes a tar or a tar.gz alike, and the fetcher extracts neither (below).
        String contextFile = ExecutorCommands.contextFile(context.format());
        BuildSpec spec = BuildSpec.of(image.image().name(), image.tags(), context.dockerfile(), contextFile,
                        settings.push(), settings.dockerHost())
                .with(image.options(), inContainer ? new EphemeralDaemon(settings.insecureRegistries()) : null)
                .withCredentials(credentials);
        List<FetchUri> uris = new ArrayList<>(List.of(jar.fetch()));
        if (context.growing() && staged != null) {
            // Served as it is packed, the executor getting it itself (the fetcher would hold the executor's start
            // until the packing ends): Docker gets the context while it is written, as from docker build.
            spec = spec.withGrowingContextUri(staged.uri().toString());
        } else if (context.growing()) {
            // Read in place as it is packed (the embedded agent, never in a container).
            spec = spec.withGrowingContext(context.archive());
        } else if (shared) {
            // Only the jar is the executor's to fetch; the context is the task's, read by the executor itself.
            spec = spec.withContextUri(staged.uri().toString());
        } else {
            uris.add(new FetchUri(staged.uri().toString(), contextFile, false, false));
        }
        if (fetchedSecret != null) {
            // Never cached: the fetcher's cache would keep a copy outside the sandbox. (Never with a shared executor.)
            uris.add(new FetchUri(fetchedSecret.uri().toString(), ExecutorCommands.CREDENTIALS_FILE, false, false));
        }
        ExecutorLaunch executor = new ExecutorLaunch(uris, cluster.executorCommand(inContainer, jar.sha256()),
                ExecutorCommands.EXECUTOR_CPUS, ExecutorCommands.EXECUTOR_MEM_MB, settings.containerImage(), shared);
        if (inContainer) {
            run.events().info("The executor of " + image.image().name() + " runs in container image "
                    + settings.containerImage() + " with its own Docker daemon (Docker-in-Docker)");
        }
        return new BuildTask(image.primaryReference(), spec, image.cpus(), image.memMb(), executor);
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
}
