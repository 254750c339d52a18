package dev.portainer.core.context;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A build context packed as a reproducible tar.gz: the same tree always gives the same bytes and so the same
 * SHA-256, which names it when staged.
 *
 * @param archive           the tar.gz file
 * @param sha256            lower-case hex SHA-256 of the tar.gz file's bytes
 * @param compressedSize    size of the tar.gz file in bytes
 * @param entryCount        number of tar entries (files, directories, symbolic links)
 * @param uncompressedBytes size of the tar stream inside the gzip, headers and padding included
 * @param dockerfile        the Dockerfile's '/'-separated path inside the archive (what {@code docker build -f}
 *                          takes)
 */
public record PackedContext(Path archive, String sha256, long compressedSize, int entryCount, long uncompressedBytes,
                            String dockerfile) {
    public PackedContext {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(dockerfile, "dockerfile");
    }
}
