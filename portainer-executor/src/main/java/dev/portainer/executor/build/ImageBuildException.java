package dev.portainer.executor.build;

/**
 * A build or push that failed. The message is the text the user needs (Docker's own error where there is one, e.g.
 * {@code The command '/bin/sh -c exit 3' returned a non-zero code: 3}); it never contains credentials.
 */
public final class ImageBuildException extends Exception {
    private final String imageId;

    /** @param imageId the image already built when a later step (tag, push) failed, else null */
    public ImageBuildException(String message, String imageId, Throwable cause) {
        super(message, cause);
        this.imageId = imageId;
    }

    /** The image built before the failure, or null when the build itself failed. */
    public String imageId() {
        return imageId;
    }
}
