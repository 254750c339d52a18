package dev.portainer.core.dockerfile;

import java.util.Locale;

/** Docker's rules for image references that a rewrite needs. */
public final class ImageNames {
    private ImageNames() {
    }

    /**
     * Whether {@code reference} names its registry, by Docker's rule (distribution/reference): the part before the
     * first '/' is a host if it contains '.' or ':', is {@code localhost}, or has an upper-case letter.
     */
    public static boolean hasRegistryHost(String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String first = reference.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT));
    }

    /** {@code reference} pulled from {@code registry} instead of Docker Hub. */
    public static String onRegistry(String registry, String reference) {
        return registry + "/" + reference;
    }
}
