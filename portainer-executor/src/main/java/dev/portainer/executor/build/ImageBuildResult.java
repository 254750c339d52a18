package dev.portainer.executor.build;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a successful build produced.
 *
 * @param imageId   the image id, {@code sha256:…}
 * @param digest    the pushed manifest digest of the first tag, {@code sha256:…}, or null when nothing was pushed
 * @param tags      the full references applied (and pushed, when pushing), e.g. {@code 127.0.0.1:5000/app:1.0}
 * @param sizeBytes the image's size as the daemon reports it, or -1 if unknown
 * @param digests   the digest each push reported, by tag (as in the spec), in push order; empty when not pushed
 */
public record ImageBuildResult(String imageId, String digest, List<String> tags, long sizeBytes,
                               Map<String, String> digests) {
    public ImageBuildResult {
        Objects.requireNonNull(imageId, "imageId");
        tags = List.copyOf(tags);
        digests = digests == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(digests));
    }

    /** A result without per-tag digests. */
    public ImageBuildResult(String imageId, String digest, List<String> tags, long sizeBytes) {
        this(imageId, digest, tags, sizeBytes, null);
    }
}
