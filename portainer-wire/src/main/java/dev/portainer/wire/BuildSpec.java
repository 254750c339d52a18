package dev.portainer.wire;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the executor must do, sent in {@code TaskInfo.data} (never in the command or environment, which the
 * master's {@code /state} shows to anyone).
 *
 * @param v           wire version, {@link WireFormat#VERSION}
 * @param action      build (and maybe push) from a context, or push an image built earlier; absent on the wire means
 *                    build
 * @param image       repository, with registry host if any, e.g. {@code 127.0.0.1:5000/team/app}
 * @param tags        tags to apply; the first is the one built, all are pushed
 * @param dockerfile  path of the Dockerfile inside the context, '/'-separated; null when pushing only
 * @param contextFile file name of the fetched build context (a tar or tar.gz) in the sandbox; null when pushing only
 * @param push        whether to push every tag after building; always true when pushing only
 * @param dockerHost  the daemon to use, or null for the agent's DOCKER_HOST, else the default socket
 * @param options     the {@code docker build} options; absent on the wire means none
 * @param ephemeralDaemon when set, the executor runs in a container and starts its own daemon (Docker-in-Docker);
 *                    absent on the wire means it uses the agent's daemon
 * @param credentials where the sealed registry credentials are and their key, or null for none
 * @param imageId     the image to push ({@code sha256:…}) when pushing only: it must still be in the daemon; else null
 * @param contextUri  where the executor reads the context itself, or null when the Mesos fetcher put it in the sandbox
 *                    as {@code contextFile}: an executor that runs several tasks gets no fetch for a task launched on
 *                    it once it runs (Mesos fetches an executor's URIs once, when it starts). A {@code file:} URI is
 *                    read in place (the embedded agent, a shared file system); an {@code http:}/{@code https:} URL is
 *                    fetched with one GET into the task's directory as {@code contextFile}
 * @param contextGrowing whether the context is still being packed when the task is launched. A {@code file:} one is
 *                    written as {@code <file>.part} and renamed to the file once complete; an {@code http:}/{@code
 *                    https:} one is served as it is written (chunked) and its body ended only once the archive is
 *                    whole, its connection aborted instead if the packing fails (the executor writes it to {@code
 *                    contextFile.part} in the task's directory, renamed when the body ended). The executor sends it to
 *                    Docker as it grows, as {@code docker build} sends a context while it walks it, and takes only the
 *                    renamed file's end for the archive's end ({@link GrowingContext}); a {@code .part} gone without a
 *                    file means the packing failed. Absent on the wire means false
 */
public record BuildSpec(int v, Action action, String image, List<String> tags, String dockerfile, String contextFile,
                        boolean push, String dockerHost, BuildOptions options, EphemeralDaemon ephemeralDaemon,
                        CredentialsRef credentials, String imageId, String contextUri,
                        boolean contextGrowing) {
    /** What the task does with the image. */
    public enum Action {
        /** Build from the fetched context, tag, and push when asked. */
        BUILD("build"),
        /** Tag an image built earlier in this agent's daemon and push every tag; nothing is built or fetched. */
        PUSH("push");

        private final String wireName;

        Action(String wireName) {
            this.wireName = wireName;
        }

        /** The name on the wire. */
        public String wireName() {
            return wireName;
        }

        /** The action named {@code name} on the wire; absent is a build (what every spec before pushes was). */
        static Action fromWire(String name) {
            if (name == null) {
                return BUILD;
            }
            for (Action action : values()) {
                if (action.wireName.equals(name)) {
                    return action;
                }
            }
            throw new IllegalArgumentException("unknown action '" + name + "'");
        }
    }

    public BuildSpec {
        action = action == null ? Action.BUILD : action;
        Objects.requireNonNull(image, "image");
        tags = List.copyOf(tags);
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("at least one tag");
        }
        if (action == Action.BUILD) {
            Objects.requireNonNull(dockerfile, "dockerfile");
            Objects.requireNonNull(contextFile, "contextFile");
            if (imageId != null) {
                throw new IllegalArgumentException("a build makes its image: it takes no imageId");
            }
            if (contextUri != null && !(contextUri.startsWith("file:") || contextUri.startsWith("http:")
                    || contextUri.startsWith("https:"))) {
                throw new IllegalArgumentException("contextUri must be a file:, http: or https: URI: " + contextUri);
            }
            if (contextGrowing && contextUri == null) {
                throw new IllegalArgumentException("only a context the executor reads itself can be read while it is"
                        + " packed");
            }
        } else {
            Objects.requireNonNull(imageId, "imageId");
            if (!push) {
                throw new IllegalArgumentException("a push task pushes");
            }
            if (contextUri != null || contextGrowing) {
                throw new IllegalArgumentException("a push task has no context");
            }
            if (ephemeralDaemon != null) {
                // the executor's own daemon starts empty: the image built earlier cannot be in it
                throw new IllegalArgumentException("a push task uses the daemon that built the image, not an "
                        + "ephemeral one");
            }
        }
        options = options == null ? BuildOptions.NONE : options;
    }

    public static BuildSpec of(String image, List<String> tags, String dockerfile, String contextFile, boolean push,
                               String dockerHost) {
        return new BuildSpec(WireFormat.VERSION, Action.BUILD, image, tags, dockerfile, contextFile, push, dockerHost,
                null, null, null, null, null, false);
    }

    /** A task that tags {@code imageId}, built earlier in the agent's daemon, with every tag and pushes them. */
    public static BuildSpec pushOf(String image, List<String> tags, String imageId, String dockerHost) {
        return new BuildSpec(WireFormat.VERSION, Action.PUSH, image, tags, null, null, true, dockerHost, null, null,
                null, imageId, null, false);
    }

    /**
     * Where a context that is still being packed is written until it is complete ({@link #contextGrowing}):
     * {@code <file>.part} beside it, renamed to {@code file} once whole. The packer and the executor both name it so.
     */
    public static Path partialContextFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".part");
    }

    /** Whether this task only pushes an image built earlier. */
    public boolean pushOnly() {
        return action == Action.PUSH;
    }

    /** This spec with {@code options} and, for Docker-in-Docker, an ephemeral daemon (null: the agent's). */
    public BuildSpec with(BuildOptions options, EphemeralDaemon ephemeralDaemon) {
        return new BuildSpec(v, action, image, tags, dockerfile, contextFile, push, dockerHost, options,
                ephemeralDaemon, credentials, imageId, contextUri, contextGrowing);
    }

    /** This spec with the build's sealed registry credentials. */
    public BuildSpec withCredentials(CredentialsRef ref) {
        return new BuildSpec(v, action, image, tags, dockerfile, contextFile, push, dockerHost, options,
                ephemeralDaemon, ref, imageId, contextUri, contextGrowing);
    }

    /** This spec with its context read by the executor from {@code uri} rather than fetched into the sandbox. */
    public BuildSpec withContextUri(String uri) {
        return new BuildSpec(v, action, image, tags, dockerfile, contextFile, push, dockerHost, options,
                ephemeralDaemon, credentials, imageId, uri, false);
    }

    /** This spec with its context read from {@code file}, which is still being packed ({@link #contextGrowing}). */
    public BuildSpec withGrowingContext(Path file) {
        return new BuildSpec(v, action, image, tags, dockerfile, contextFile, push, dockerHost, options,
                ephemeralDaemon, credentials, imageId, file.toAbsolutePath().normalize().toUri().toString(), true);
    }

    /**
     * This spec with its context read by the executor from {@code uri}, served over HTTP while it is still being packed
     * ({@link #contextGrowing}).
     */
    public BuildSpec withGrowingContextUri(String uri) {
        if (!uri.startsWith("http:") && !uri.startsWith("https:")) {
            throw new IllegalArgumentException("not an http: or https: URL: " + uri);
        }
        return new BuildSpec(v, action, image, tags, dockerfile, contextFile, push, dockerHost, options,
                ephemeralDaemon, credentials, imageId, uri, true);
    }

    public byte[] toBytes() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", v);
        json.put("action", action.wireName());
        json.put("image", image);
        json.put("tags", tags);
        json.put("dockerfile", dockerfile);
        json.put("contextFile", contextFile);
        json.put("push", push);
        json.put("dockerHost", dockerHost);
        json.put("options", options.toJson());
        json.put("ephemeralDaemon", ephemeralDaemon == null ? null
                : Map.of("insecureRegistries", ephemeralDaemon.insecureRegistries()));
        json.put("credentials", credentials == null ? null : credentials.toJson());
        json.put("imageId", imageId);
        if (contextUri != null) {
            json.put("contextUri", contextUri); // absent unless set: older executors read the same bytes
        }
        if (contextGrowing) {
            json.put("contextGrowing", true);
        }
        return WireFormat.encode(json);
    }

    public static BuildSpec fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, "build task description", json -> {
            Json.Fields options = json.fields("options");
            Json.Fields daemon = json.fields("ephemeralDaemon");
            Json.Fields credentials = json.fields("credentials");
            return new BuildSpec((int) json.number("v", -1), Action.fromWire(json.string("action")),
                    json.string("image"), json.strings("tags"), json.string("dockerfile"), json.string("contextFile"),
                    json.bool("push"), json.string("dockerHost"),
                    options == null ? null : BuildOptions.fromJson(options),
                    daemon == null ? null : new EphemeralDaemon(daemon.strings("insecureRegistries")),
                    credentials == null ? null : CredentialsRef.fromJson(credentials), json.string("imageId"),
                    json.string("contextUri"), json.bool("contextGrowing"));
        });
    }
}
