package dev.portainer.core.context;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A packed build context, a tar or tar.gz: with reproducible packing the same tree always gives the same bytes and so
 * the same SHA-256, which names it when staged.
 *
 * @param archive           the archive file
 * @param sha256            lower-case hex SHA-256 of the archive file's bytes
 * @param compressedSize    size of the archive file in bytes (the tar's own size for a plain tar)
 * @param entryCount        number of tar entries (files, directories, symbolic links)
 * @param uncompressedBytes size of the tar stream, headers and padding included
 * @param dockerfile        the Dockerfile's '/'-separated path inside the archive (what {@code docker build -f}
 *                          takes)
 * @param format            tar or tar.gz
 * @param fingerprint       what the walk saw ({@link ContextPacker#fingerprint}); null when an entry changed while it
 *                          was packed, so that the archive may hold something its fingerprint does not describe
 */
public record PackedContext(Path archive, String sha256, long compressedSize, int entryCount, long uncompressedBytes,
                            String dockerfile, ContextFormat format, String fingerprint) {
    public PackedContext {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(format, "format");
    }

    /** The same context in another file (a link to this one). */
    public PackedContext at(Path other) {
        return new PackedContext(other, sha256, compressedSize, entryCount, uncompressedBytes, dockerfile, format,
                fingerprint);
    }
}
