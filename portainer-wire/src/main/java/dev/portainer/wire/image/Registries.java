package dev.portainer.wire.image;

import dev.portainer.wire.image.ImageNames;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Registry names as Docker derives them: from an image reference, from a config key, from a Dockerfile. */
public final class Registries {
    /** Docker Hub's name for images without a registry host. */
    public static final String DOCKER_HUB = "docker.io";
    /** The key Docker Hub's credentials have in {@code ~/.docker/config.json} and for credential helpers. */
    public static final String DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/";

    private Registries() {
    }

    /**
     * The registry of an image reference ({@code host[:port]/path[:tag][@digest]}), normalized, {@link #DOCKER_HUB} if
     * it names none (the rule is {@link ImageNames#registryHost}).
     */
    public static String of(String reference) {
        String host = ImageNames.registryHost(reference);
        return host == null ? DOCKER_HUB : normalize(host);
    }

    /**
     * A registry as a config key names it: {@code https://host:port/v1/} or {@code host:port} → {@code host:port}
     * (Docker's {@code ConvertToHostname}); Docker Hub's aliases → {@link #DOCKER_HUB}.
     */
    public static String normalize(String key) {
        String host = key.trim();
        if (host.startsWith("http://")) {
            host = host.substring("http://".length());
        } else if (host.startsWith("https://")) {
            host = host.substring("https://".length());
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        return switch (host.toLowerCase(Locale.ROOT)) {
            case "docker.io", "index.docker.io", "registry-1.docker.io" -> DOCKER_HUB;
            default -> host;
        };
    }

    /** The registries of {@code references}, each once, in order; see {@link #of}. */
    public static List<String> of(List<String> references) {
        Set<String> registries = new LinkedHashSet<>();
        references.forEach(reference -> registries.add(of(reference)));
        return List.copyOf(registries);
    }
}
