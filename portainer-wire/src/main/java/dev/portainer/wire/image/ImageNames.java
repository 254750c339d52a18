package dev.portainer.wire.image;

import java.util.Locale;

/**
 * Docker's rules for image references, in one place: which registry a reference names decides where a push goes,
 * whose credentials a pull uses and what {@code <pullRegistry>} rewrites, so every part of Portainer asks here.
 */
public final class ImageNames {
    private ImageNames() {
    }

    /**
     * The registry host ({@code host[:port]}) that {@code reference} names, or null when it names none (Docker Hub).
     * Docker's rule (distribution/reference {@code splitDockerDomain}): the part before the first '/' is a host if it
     * contains '.' or ':', is {@code localhost}, or has an upper-case letter (a repository path never has one).
     */
    public static String registryHost(String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String first = reference.substring(0, slash);
        boolean host = first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT));
        return host ? first : null;
    }

    /** Whether {@code reference} names its registry; see {@link #registryHost}. */
    public static boolean hasRegistryHost(String reference) {
        return registryHost(reference) != null;
    }

    /**
     * Whether {@code host} is a registry host only because of its upper-case letters ({@code Team/app}): Docker 20.10
     * refuses such a reference ("repository name must be lowercase"), newer Docker takes the first part for a host.
     */
    public static boolean hostOnlyByCase(String host) {
        return !(host.contains(".") || host.contains(":") || host.equals("localhost"));
    }

    /** {@code reference} pulled from {@code registry} instead of Docker Hub. */
    public static String onRegistry(String registry, String reference) {
        return registry + "/" + reference;
    }
}
