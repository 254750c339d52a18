package dev.portainer.core.build;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished build.
 *
 * @param image     the repository
 * @param tags      the tags built (and pushed when pushing)
 * @param imageId   the image id ({@code sha256:…})
 * @param digest    the pushed manifest digest of the first tag, or null when not pushed
 * @param sizeBytes the image size, -1 if unknown
 * @param agent     the Mesos agent that built it
 * @param digests   the digest each tag's push reported, by tag, in push order; empty when not pushed
 */
public record BuildResult(ImageRef image, List<String> tags, String imageId, String digest, long sizeBytes,
                          String agent, Map<String, String> digests) {
    public BuildResult {
        tags = List.copyOf(tags);
        digests = digests == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(digests));
    }

    /** A result without per-tag digests (nothing pushed, or an executor that did not report them). */
    public BuildResult(ImageRef image, List<String> tags, String imageId, String digest, long sizeBytes,
                       String agent) {
        this(image, tags, imageId, digest, sizeBytes, agent, null);
    }
}
