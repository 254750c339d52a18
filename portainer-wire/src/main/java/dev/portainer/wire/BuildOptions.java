package dev.portainer.wire;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    public BuildOptions {
        // Normalized only: what a user may ask for is checked where the user asks (core's ImageSpec), so that the
        // executor reads any task description the scheduler sends.
        buildArgs = sorted(buildArgs);
        target = blankToNull(target);
        labels = sorted(labels);
        network = blankToNull(network);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
        platform = blankToNull(platform);
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

    private static Map<String, String> sorted(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        // Sorted so that equal options give equal task descriptions; unmodifiable but null values stay visible
        // to core's checks (Map.copyOf would throw a bare NullPointerException).
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
