package dev.portainer.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PushImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import dev.portainer.wire.image.ImageNames;
import dev.portainer.wire.BuildOptions;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.TaskResult;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ImageBuild;
import dev.portainer.wire.GrowingContext;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.executor.build.ImageBuildResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds one image from a gzipped tar context with docker-java, tags it, pushes every tag and inspects it; or, for a
 * push task, tags and pushes an image an earlier build left in the daemon.
 * docker-java reports a failed build or push only as an {@code errorDetail} item in the stream, so every item is
 * checked here.
 */
public final class DockerImageBuild implements ImageBuild {
    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64}) size:");
    /** The build API takes {@code platform} from this version on (Docker 17.07). */
    private static final String PLATFORM_API = "1.32";

    private final DockerClient docker;
    private final String daemon;
    private final BuildSpec spec;
    private final Path contextFile;
    private final AuthConfig pushAuth;
    private final AuthConfigurations buildAuth;
    private volatile boolean cancelled;
    private volatile ResultCallback<?> current;

    /**
     * @param docker      the daemon's client; not closed here
     * @param daemon      the daemon's address, for error messages
     * @param contextFile the build context, a tar or tar.gz (the daemon unpacks either); null for a push task
     * @param pushAuth    registry credentials for the push, or null to let docker-java use the agent's
     *                    {@code ~/.docker/config.json}; never logged
     */
    public DockerImageBuild(DockerClient docker, String daemon, BuildSpec spec, Path contextFile, AuthConfig pushAuth) {
        this(docker, daemon, spec, contextFile, pushAuth, null);
    }

    /**
     * @param buildAuth registry credentials the daemon may use to pull base images, or null; never logged
     */
    public DockerImageBuild(DockerClient docker, String daemon, BuildSpec spec, Path contextFile, AuthConfig pushAuth,
                            AuthConfigurations buildAuth) {
        this.buildAuth = buildAuth;
        this.docker = docker;
        this.daemon = daemon;
        this.spec = spec;
        this.contextFile = contextFile;
        this.pushAuth = pushAuth;
    }

    @Override
    public ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException {
        if (spec.pushOnly()) {
            return pushBuiltEarlier(log);
        }
        if (!spec.contextGrowing() && !Files.isRegularFile(contextFile)) {
            throw new ImageBuildException("The build context " + contextFile.getFileName() + " is not in the sandbox "
                    + contextFile.getParent() + ": the Mesos fetcher should have put it there (the task's URI must "
                    + "not be extracted)", null, null);
        }
        List<String> refs = new ArrayList<>();
        for (String tag : spec.tags()) {
            refs.add(spec.image() + ":" + tag);
        }
        try {
            String imageId = build(refs, log);
            // The full id and the size, read while the push runs: a cold executor's first inspect takes ~50 ms.
            CompletableFuture<InspectImageResponse> inspected = CompletableFuture.supplyAsync(
                    () -> docker.inspectImageCmd(imageId).exec(), DockerImageBuild::daemonThread);
            Map<String, String> digests = spec.push() ? pushAll(refs, imageId, log) : Map.of();
            InspectImageResponse image = join(inspected);
            long size = image.getSize() == null ? -1 : image.getSize();
            return new ImageBuildResult(image.getId(), first(digests), refs, size, digests);
        } catch (DockerException e) {
            throw new ImageBuildException(DockerErrors.describe(e), null, e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /**
     * A push task: the image an earlier build left in this daemon, tagged again with every tag (a later build may
     * have moved one of them to another image), then pushed exactly as a build pushes.
     */
    private ImageBuildResult pushBuiltEarlier(BuildLog log) throws ImageBuildException, InterruptedException {
        String imageId = spec.imageId();
        List<String> refs = spec.tags().stream().map(tag -> spec.image() + ":" + tag).toList();
        try {
            InspectImageResponse image;
            try {
                image = docker.inspectImageCmd(imageId).exec();
            } catch (NotFoundException e) {
                throw new ImageBuildException("The image " + imageId + " that portainer:build made for " + spec.image()
                        + " is no longer in the Docker daemon at " + daemon + " on this agent (removed since, e.g. by"
                        + " docker image prune, or built by another daemon): run portainer:build again, then push",
                        null, e);
            }
            log.line("Pushing " + imageId + " as " + String.join(", ", refs));
            for (String tag : spec.tags()) {
                checkCancelled(imageId);
                docker.tagImageCmd(imageId, spec.image(), tag).withForce(true).exec();
            }
            Map<String, String> digests = pushAll(refs, imageId, log);
            long size = image.getSize() == null ? -1 : image.getSize();
            return new ImageBuildResult(image.getId(), first(digests), refs, size, digests);
        } catch (DockerException e) {
            throw new ImageBuildException(DockerErrors.describe(e), imageId, e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /**
     * Pushes every tag, once the executor has let the first push begin. Every push reports its own digest; usually
     * all are equal, but a registry may store a tag differently.
     *
     * @return the digest of each tag, by tag, in push order
     */
    private Map<String, String> pushAll(List<String> refs, String imageId, BuildLog log)
            throws ImageBuildException, InterruptedException {
        Map<String, String> digests = new LinkedHashMap<>();
        checkCancelled(imageId);
        log.beforePush();
        for (int i = 0; i < refs.size(); i++) {
            checkCancelled(imageId);
            String pushed;
            try {
                pushed = push(spec.tags().get(i), refs.get(i), imageId, log);
            } catch (ImageBuildException e) {
                throw e.inPush();
            } catch (DockerException e) {
                throw new ImageBuildException(DockerErrors.describe(e), imageId, e, TaskResult.Stage.PUSH);
            } catch (RuntimeException e) {
                throw failure(e, imageId).inPush();
            }
            digests.put(spec.tags().get(i), pushed);
        }
        return digests;
    }

    /** The first tag's digest: the result's own. */
    private static String first(Map<String, String> digests) {
        return digests.isEmpty() ? null : digests.values().iterator().next();
    }

    private static void daemonThread(Runnable task) {
        Thread thread = new Thread(task, "docker-inspect");
        thread.setDaemon(true);
        thread.start();
    }

    private static <T> T join(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        ResultCallback<?> callback = current;
        if (callback != null) {
            try {
                // Closing the response makes the daemon cancel the build or push it is streaming.
                callback.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Builds and tags every one of {@code refs} in the one build, as {@code docker build -t a -t b} does. */
    private String build(List<String> refs, BuildLog log) throws ImageBuildException, InterruptedException {
        String ref = refs.get(0);
        log.line("Building " + ref + " (Dockerfile " + spec.dockerfile() + ")");
        BuildCallback callback = new BuildCallback(log);
        current = callback;
        // A context still being packed is read as it grows: the daemon unpacks it meanwhile, as from the CLI.
        try (InputStream tar = spec.contextGrowing() ? GrowingContext.open(contextFile, () -> cancelled)
                : Files.newInputStream(contextFile)) {
            if (cancelled) {
                throw cancelledException(null);
            }
            BuildImageCmd command = docker.buildImageCmd();
            if (buildAuth != null) {
                command.withBuildAuthConfigs(buildAuth);
            }
            command
                    .withTarInputStream(tar)
                    // The API's "dockerfile" parameter: a path inside the context archive.
                    .withDockerfilePath(spec.dockerfile())
                    .withTags(new LinkedHashSet<>(refs))
                    .withRemove(true)
                    // Also remove the containers of failed steps: agents are shared, nobody would clean them up.
                    .withForcerm(true);
            apply(spec.options(), command, log);
            command.exec(callback);
            callback.awaitCompletion();
        } catch (IOException e) {
            throw new ImageBuildException("Cannot read the build context " + contextFile + ": " + e.getMessage(), null, e);
        } finally {
            current = null;
        }
        callback.lines.flush();
        checkCancelled(null);
        if (callback.failure != null) {
            throw failure(callback.failure, null);
        }
        if (callback.error != null) {
            throw new ImageBuildException(callback.error, null, null);
        }
        if (callback.imageId == null) {
            // No "Successfully built <id>" line came: the first tag is the way to the image.
            return docker.inspectImageCmd(ref).exec().getId();
        }
        return callback.imageId;
    }

    /** The user's {@code docker build} options, each only when set so that the daemon's defaults apply otherwise. */
    private void apply(BuildOptions options, BuildImageCmd command, BuildLog log) throws ImageBuildException {
        command.withPull(options.pull());
        if (options.noCache()) {
            command.withNoCache(true);
        }
        for (Map.Entry<String, String> arg : options.buildArgs().entrySet()) {
            command.withBuildArg(arg.getKey(), arg.getValue());
        }
        if (options.target() != null) {
            command.withTarget(options.target());
        }
        if (!options.labels().isEmpty()) {
            command.withLabels(options.labels());
        }
        if (options.network() != null) {
            command.withNetworkMode(options.network());
        }
        if (!options.extraHosts().isEmpty()) {
            command.withExtraHosts(new LinkedHashSet<>(options.extraHosts()));
        }
        if (options.shmSize() != null) {
            command.withShmsize(options.shmSize());
        }
        if (!options.cacheFrom().isEmpty()) {
            command.withCacheFrom(new LinkedHashSet<>(options.cacheFrom()));
        }
        if (options.platform() != null) {
            String api = docker.versionCmd().exec().getApiVersion();
            if (api == null || compareVersions(api, PLATFORM_API) < 0) {
                throw new ImageBuildException("The Docker daemon at " + daemon + " speaks API " + api + ", which has"
                        + " no build platform (API " + PLATFORM_API + ", Docker 17.07, needed): upgrade the agent's"
                        + " Docker or remove <platform> (portainer.platform)", null, null);
            }
            command.withPlatform(options.platform());
            log.line("Platform " + options.platform() + " (base images of another architecture need the agent to"
                    + " run them, e.g. with qemu binfmt handlers)");
        }
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i].replaceAll("\\D.*", "")) : 0;
            int q = i < y.length ? Integer.parseInt(y[i].replaceAll("\\D.*", "")) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private String push(String tag, String ref, String imageId, BuildLog log)
            throws ImageBuildException, InterruptedException {
        log.line("Pushing " + ref);
        PushCallback callback = new PushCallback(log);
        current = callback;
        try {
            PushImageCmd push = docker.pushImageCmd(spec.image()).withTag(tag);
            if (pushAuth != null) {
                push.withAuthConfig(pushAuth);
            }
            push.exec(callback);
            callback.awaitCompletion();
        } finally {
            current = null;
        }
        checkCancelled(imageId);
        if (callback.failure != null) {
            throw failure(callback.failure, imageId);
        }
        if (callback.error != null) {
            throw new ImageBuildException("Pushing " + ref + " failed: " + callback.error
                    + unreachableRegistryHint(callback.error), imageId, null);
        }
        if (callback.digest == null) {
            throw new ImageBuildException("Pushing " + ref + " reported no digest; the registry may not have stored it",
                    imageId, null);
        }
        return callback.digest;
    }

    /** For a registry that cannot be reached: which one, and what to check. Empty for other failures. */
    private String unreachableRegistryHint(String error) {
        String lower = error.toLowerCase(java.util.Locale.ROOT);
        if (!(lower.contains("connection refused") || lower.contains("no such host") || lower.contains("i/o timeout")
                || lower.contains("dial tcp") || lower.contains("http response to https client"))) {
            return "";
        }
        String host = ImageNames.registryHost(spec.image());
        String registry = host != null ? host : "docker.io";
        return " — the registry " + registry + " cannot be reached from the agent: check that it runs and that the"
                + " image name's host and port are right (fix <image>); a registry on plain HTTP must be in the"
                + " agent daemon's insecure-registries (see <insecureRegistries>)";
    }

    private void checkCancelled(String imageId) throws ImageBuildException {
        if (cancelled) {
            throw cancelledException(imageId);
        }
    }

    private static ImageBuildException cancelledException(String imageId) {
        return new ImageBuildException("The build was cancelled", imageId, null);
    }

    private ImageBuildException failure(Throwable e, String imageId) {
        if (e instanceof DockerException) {
            return new ImageBuildException(DockerErrors.describe(e), imageId, e);
        }
        ImageBuildException unreachable = unreachable(e);
        return new ImageBuildException(unreachable.getMessage(), imageId, e);
    }

    private ImageBuildException unreachable(Throwable e) {
        return new ImageBuildException("Cannot talk to the Docker daemon at " + daemon + ": " + DockerErrors.describe(e)
                + " (is dockerd running, and may the agent's user use its socket?)", null, e);
    }

    /** Shared by build and push: records the first error and does not log it (docker-java's default does). */
    private abstract static class Callback<T extends ResponseItem> extends ResultCallback.Adapter<T> {
        volatile String error;
        volatile Throwable failure;

        @Override
        public void onError(Throwable throwable) {
            if (failure == null) {
                failure = throwable;
            }
            try {
                close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }

        void noteError(ResponseItem item) {
            String text = DockerErrors.of(item);
            if (text != null && error == null) {
                error = text;
            }
        }
    }

    private static final class BuildCallback extends Callback<BuildResponseItem> {
        final LineSplitter lines;
        final ProgressLines progress;
        volatile String imageId;

        BuildCallback(BuildLog log) {
            this.lines = new LineSplitter(log);
            this.progress = new ProgressLines(log);
        }

        @Override
        public void onNext(BuildResponseItem item) {
            noteError(item);
            if (item.getStream() != null) {
                lines.accept(item.getStream());
            }
            progress.accept(item); // "FROM" pulling a base image reports progress like a pull
            // "Successfully built <id>", the classic builder's last line (docker-java's model drops the aux ID).
            String id = item.getImageId();
            if (id != null) {
                imageId = id;
            }
        }
    }

    private static final class PushCallback extends Callback<PushResponseItem> {
        final ProgressLines progress;
        volatile String digest;

        PushCallback(BuildLog log) {
            this.progress = new ProgressLines(log);
        }

        @Override
        public void onNext(PushResponseItem item) {
            noteError(item);
            progress.accept(item);
            if (item.getAux() != null && item.getAux().getDigest() != null) {
                digest = item.getAux().getDigest();
            } else if (digest == null && item.getStatus() != null) {
                Matcher m = PUSHED_DIGEST.matcher(item.getStatus());
                if (m.find()) {
                    digest = m.group(1);
                }
            }
        }
    }
}
