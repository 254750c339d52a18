package dev.portainer.core.wire;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code docker build} options a build asks for, as the executor passes them to the daemon's build API. Every
 * field is optional on the wire (an older scheduler sends none): absent maps and lists are empty, absent flags false.
 *
 * @param buildArgs  {@code --build-arg}: every one with a value (the executor's environment is not the user's)
 * @param target     {@code --target}: the stage to build, or null for the last
 * @param labels     {@code --label}
 * @param noCache    {@code --no-cache}
 * @param pull       {@code --pull}: always pull base images, even when the daemon has them
 * @param network    {@code --network} for RUN steps, or null for the daemon's default
 * @param extraHosts {@code --add-host} entries, {@code host:ip}
 * @param shmSize    {@code --shm-size} in bytes, or null for the daemon's default
 * @param cacheFrom  {@code --cache-from} images
 * @param platform   {@code --platform}, {@code os[/arch[/variant]]}, or null for the daemon's own
 */
public record BuildOptions(Map<String, String> buildArgs, String target, Map<String, String> labels, boolean noCache,
                           boolean pull, String network, List<String> extraHosts, Long shmSize,
                           List<String> cacheFrom, String platform) {
    /** No options: what {@code docker build} does without flags. */
    public static final BuildOptions NONE = new BuildOptions(null, null, null, false, false, null, null, null, null,
            null);

    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern EXTRA_HOST = Pattern.compile("[^:\\s]+:[0-9A-Fa-f.:\\[\\]]+");
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9_]+(/[a-z0-9_]+(/[a-z0-9_]+)?)?");

    public BuildOptions {
        buildArgs = sorted(buildArgs);
        for (Map.Entry<String, String> arg : buildArgs.entrySet()) {
            if (!ARG_NAME.matcher(arg.getKey()).matches()) {
                throw new InvalidSettingException(Message.of("Invalid build arg name '", arg.getKey(), "': use letters,"
                        + " digits and '_', not starting with a digit; fix ", Setting.BUILD_ARGS));
            }
            if (arg.getValue() == null) {
                throw missingValue(arg.getKey());
            }
        }
        target = blankToNull(target);
        labels = sorted(labels);
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (label.getKey().isBlank() || label.getValue() == null) {
                throw new InvalidSettingException(Message.of("Label '", label.getKey(), "' has no value: write it as"
                        + " key=value (an empty value is written key=); fix ", Setting.LABELS));
            }
        }
        network = blankToNull(network);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        for (String host : extraHosts) {
            if (!EXTRA_HOST.matcher(host).matches()) {
                throw new InvalidSettingException(Message.of("Invalid extra host '", host, "': write it as host:ip,"
                        + " e.g. db.internal:10.0.0.5; fix ", Setting.EXTRA_HOSTS));
            }
        }
        if (shmSize != null && shmSize <= 0) {
            throw new InvalidSettingException(Message.of("shmSize must be more than 0 bytes (got ", shmSize,
                    "); fix ", Setting.SHM_SIZE));
        }
        cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
        platform = blankToNull(platform);
        if (platform != null && !PLATFORM.matcher(platform).matches()) {
            throw new InvalidSettingException(Message.of("Invalid platform '", platform, "': write it as"
                    + " os[/arch[/variant]], e.g. linux/amd64 or linux/arm64/v8; fix ", Setting.PLATFORM));
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("buildArgs", buildArgs);
        json.put("target", target);
        json.put("labels", labels);
        json.put("noCache", noCache);
        json.put("pull", pull);
        json.put("network", network);
        json.put("extraHosts", extraHosts);
        json.put("shmSize", shmSize);
        json.put("cacheFrom", cacheFrom);
        json.put("platform", platform);
        return json;
    }

    static BuildOptions fromJson(Json.Fields json) {
        return new BuildOptions(json.stringMap("buildArgs"), json.string("target"), json.stringMap("labels"),
                json.bool("noCache"), json.bool("pull"), json.string("network"), json.strings("extraHosts"),
                json.optionalNumber("shmSize"), json.strings("cacheFrom"), json.string("platform"));
    }

    /** The error for {@code K} given without {@code =value}. */
    public static InvalidSettingException missingValue(String name) {
        return new InvalidSettingException(Message.of("Build arg '", name, "' has no value: write it as ", name,
                "=value in ", Setting.BUILD_ARGS, ". Docker's CLI would take a bare name's value from its"
                + " environment, but the build runs on a Mesos agent whose environment is not this Maven JVM's, so"
                + " Portainer refuses rather than guess"));
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        // Sorted so that equal options give equal task descriptions; unmodifiable but null values stay visible
        // to the checks above (Map.copyOf would throw a bare NullPointerException).
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
