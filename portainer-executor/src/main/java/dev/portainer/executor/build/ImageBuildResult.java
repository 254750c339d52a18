package dev.portainer.executor.build;

import java.util.List;
import java.util.Objects;

/**
 * What a successful build produced.
 *
 * @param imageId   the image id, {@code sha256:…}
 * @param digest    the pushed manifest digest, {@code sha256:…}, or null when nothing was pushed
 * @param tags      the full references applied (and pushed, when pushing), e.g. {@code 127.0.0.1:5000/app:1.0}
 * @param sizeBytes the image's size as the daemon reports it, or -1 if unknown
 */
public record ImageBuildResult(String imageId, String digest, List<String> tags, long sizeBytes) {
    public ImageBuildResult {
        Objects.requireNonNull(imageId, "imageId");
        tags = List.copyOf(tags);
    }
}
