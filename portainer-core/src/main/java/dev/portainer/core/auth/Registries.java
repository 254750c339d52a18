package dev.portainer.core.auth;

import dev.portainer.core.dockerfile.ImageNames;
import java.util.ArrayList;
import java.util.HashSet;
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

    /**
     * The registries the {@code FROM} lines of a Dockerfile pull from, in order: a simple scan that skips
     * {@code scratch}, earlier build stages and references built from {@code ARG}s (those cannot be known here).
     */
    public static List<String> pulledBy(List<String> dockerfileLines) {
        Set<String> registries = new LinkedHashSet<>();
        Set<String> stages = new HashSet<>();
        for (String logical : logicalLines(dockerfileLines)) {
            String[] words = logical.trim().split("\\s+");
            if (words.length < 2 || !words[0].equalsIgnoreCase("FROM")) {
                continue;
            }
            int i = 1;
            while (i < words.length && words[i].startsWith("--")) {
                i++; // --platform=…
            }
            if (i >= words.length) {
                continue;
            }
            String image = words[i];
            if (i + 2 < words.length && words[i + 1].equalsIgnoreCase("AS")) {
                stages.add(words[i + 2].toLowerCase(Locale.ROOT));
            }
            if (image.equalsIgnoreCase("scratch") || image.contains("$")
                    || stages.contains(image.toLowerCase(Locale.ROOT)) && !image.contains("/")) {
                continue;
            }
            registries.add(of(image));
        }
        return List.copyOf(registries);
    }

    /** Joins backslash-continued lines and drops comments, as Docker's parser does (default escape only). */
    private static List<String> logicalLines(List<String> lines) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            logical.add(current.toString());
            current.setLength(0);
        }
        if (!current.isEmpty()) {
            logical.add(current.toString());
        }
        return logical;
    }
}
