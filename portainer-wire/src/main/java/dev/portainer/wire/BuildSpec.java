package dev.portainer.wire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the executor must do, sent in {@code TaskInfo.data} (never in the command or environment, which the
 * master's {@code /state} shows to anyone).
 *
 * @param v           wire version, {@link WireFormat#VERSION}
 * @param image       repository, with registry host if any, e.g. {@code 127.0.0.1:5000/team/app}
 * @param tags        tags to apply; the first is the one built, all are pushed
 * @param dockerfile  path of the Dockerfile inside the context, '/'-separated
 * @param contextFile file name of the fetched build context (a tar.gz) in the sandbox
 * @param push        whether to push every tag after building
 * @param dockerHost  the daemon to use, or null for the agent's DOCKER_HOST, else the default socket
 * @param options     the {@code docker build} options; absent on the wire means none
 * @param ephemeralDaemon when set, the executor runs in a container and starts its own daemon (Docker-in-Docker);
 *                    absent on the wire means it uses the agent's daemon
 * @param credentials where the sealed registry credentials are and their key, or null for none
 */
public record BuildSpec(int v, String image, List<String> tags, String dockerfile, String contextFile, boolean push,
                        String dockerHost, BuildOptions options, EphemeralDaemon ephemeralDaemon,
                        CredentialsRef credentials) {
    public BuildSpec {
        Objects.requireNonNull(image, "image");
        tags = List.copyOf(tags);
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("at least one tag");
        }
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(contextFile, "contextFile");
        options = options == null ? BuildOptions.NONE : options;
    }

    public static BuildSpec of(String image, List<String> tags, String dockerfile, String contextFile, boolean push,
                               String dockerHost) {
        return new BuildSpec(WireFormat.VERSION, image, tags, dockerfile, contextFile, push, dockerHost, null, null,
                null);
    }

    /** This spec with {@code options} and, for Docker-in-Docker, an ephemeral daemon (null: the agent's). */
    public BuildSpec with(BuildOptions options, EphemeralDaemon ephemeralDaemon) {
        return new BuildSpec(v, image, tags, dockerfile, contextFile, push, dockerHost, options, ephemeralDaemon,
                credentials);
    }

    /** This spec with the build's sealed registry credentials. */
    public BuildSpec withCredentials(CredentialsRef ref) {
        return new BuildSpec(v, image, tags, dockerfile, contextFile, push, dockerHost, options, ephemeralDaemon, ref);
    }

    public byte[] toBytes() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", v);
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
        return WireFormat.encode(json);
    }

    public static BuildSpec fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, "build task description", json -> {
            Json.Fields options = json.fields("options");
            Json.Fields daemon = json.fields("ephemeralDaemon");
            Json.Fields credentials = json.fields("credentials");
            return new BuildSpec((int) json.number("v", -1), json.string("image"), json.strings("tags"),
                    json.string("dockerfile"), json.string("contextFile"), json.bool("push"), json.string("dockerHost"),
                    options == null ? null : BuildOptions.fromJson(options),
                    daemon == null ? null : new EphemeralDaemon(daemon.strings("insecureRegistries")),
                    credentials == null ? null : CredentialsRef.fromJson(credentials));
        });
    }
}
