package dev.portainer.core.build;

import java.util.List;

/**
 * A finished build.
 *
 * @param image     the repository
 * @param tags      the tags built (and pushed when pushing)
 * @param imageId   the image id ({@code sha256:…})
 * @param digest    the pushed manifest digest, or null when not pushed
 * @param sizeBytes the image size, -1 if unknown
 * @param agent     the Mesos agent that built it
 */
public record BuildResult(ImageRef image, List<String> tags, String imageId, String digest, long sizeBytes,
                          String agent) {
}
