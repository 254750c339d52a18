package dev.portainer.core.build;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The self-contained executor jar to stage for the agents.
 *
 * @param jar    the file
 * @param sha256             its SHA-256 in lower-case hex when already known (the plugin caches it with the jar), or
 *                           null to have the build compute it
 * @param classDataDirectory where the jar stays unchanged from build to build, so that a class-data archive of it
 *                           may be kept there for the embedded agent's executors (the plugin's cache); null when the
 *                           jar is written anew for each build
 */
public record ExecutorJarFile(Path jar, String sha256, Path classDataDirectory) {
    /** A jar that is not kept from build to build. */
    public ExecutorJarFile(Path jar, String sha256) {
        this(jar, sha256, null);
    }

    public ExecutorJarFile {
        Objects.requireNonNull(jar, "jar");
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
    }
}
