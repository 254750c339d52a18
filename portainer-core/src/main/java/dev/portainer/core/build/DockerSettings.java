package dev.portainer.core.build;

import dev.portainer.core.wire.BuildOptions;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How Docker is asked to build: the {@code docker build} options, where base images come from, and whether the
 * executor brings its own daemon (Docker-in-Docker).
 *
 * @param options            the {@code docker build} options
 * @param pullRegistry       registry {@code host[:port]} that base images without a registry host come from, or null
 * @param containerImage     image to run the executor in, with its own {@code dockerd}; null: the agent's daemon
 * @param insecureRegistries registries reached over plain HTTP, given to the executor's own daemon
 */
public record DockerSettings(BuildOptions options, String pullRegistry, String containerImage,
                             List<String> insecureRegistries) {
    /** Plain {@code docker build} on the agent's daemon. */
    public static final DockerSettings DEFAULTS = new DockerSettings(BuildOptions.NONE, null, null, List.of());

    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+])(?::[0-9]+)?(?:/[a-z0-9._-]+)*");

    public DockerSettings {
        options = options == null ? BuildOptions.NONE : options;
        pullRegistry = pullRegistry == null || pullRegistry.isBlank() ? null : pullRegistry.trim();
        if (pullRegistry != null) {
            // a trailing slash is a common slip; a scheme is not part of an image reference
            pullRegistry = pullRegistry.replaceAll("/+$", "");
            if (!REGISTRY.matcher(pullRegistry).matches()) {
                throw new IllegalArgumentException("Invalid pullRegistry '" + pullRegistry + "': give host[:port]"
                        + " (optionally with a path prefix), without http://, e.g. mirror.example.com:5000; fix"
                        + " <pullRegistry> (portainer.pullRegistry)");
            }
        }
        containerImage = containerImage == null || containerImage.isBlank() ? null : containerImage.trim();
        insecureRegistries = insecureRegistries == null ? List.of()
                : insecureRegistries.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
