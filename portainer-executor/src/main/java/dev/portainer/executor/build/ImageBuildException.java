package dev.portainer.executor.build;

import dev.portainer.wire.TaskResult;

/**
 * A build or push that failed. The message is the text the user needs (Docker's own error where there is one, e.g.
 * {@code The command '/bin/sh -c exit 3' returned a non-zero code: 3}); it never contains credentials.
 */
public final class ImageBuildException extends Exception {
    private final String imageId;
    private final TaskResult.Stage stage;

    /** @param imageId the image already built when a later step (tag, push) failed, else null */
    public ImageBuildException(String message, String imageId, Throwable cause) {
        this(message, imageId, cause, TaskResult.Stage.BUILD);
    }

    /** @param stage where it failed: building, or pushing the image {@code imageId} */
    public ImageBuildException(String message, String imageId, Throwable cause, TaskResult.Stage stage) {
        super(message, cause);
        this.imageId = imageId;
        this.stage = stage;
    }

    /** The same failure, in the push of the image it names. */
    public ImageBuildException inPush() {
        if (stage == TaskResult.Stage.PUSH) {
            return this;
        }
        ImageBuildException push = new ImageBuildException(getMessage(), imageId, getCause(), TaskResult.Stage.PUSH);
        push.setStackTrace(getStackTrace());
        return push;
    }

    /** Where it failed. */
    public TaskResult.Stage stage() {
        return stage;
    }

    /** The image built before the failure, or null when the build itself failed. */
    public String imageId() {
        return imageId;
    }
}
