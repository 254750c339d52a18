package dev.portainer.core.build;

import dev.portainer.core.scheduler.BuildException;
import java.time.Duration;
import java.util.Objects;

/**
 * How one image of a run ended: its result, or why it failed.
 *
 * @param image   what was asked for
 * @param result  the built image, or null
 * @param failure why it failed, or null
 * @param elapsed from the start of scheduling to this image's end
 */
public record ImageOutcome(ImageSpec image, BuildResult result, BuildException failure, Duration elapsed) {
    public ImageOutcome {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(elapsed, "elapsed");
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("an image outcome is either a result or a failure");
        }
    }

    /** The result, or the failure thrown. */
    public BuildResult orThrow() throws BuildException {
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    /** Whether the image was built (and pushed when asked). */
    public boolean succeeded() {
        return result != null;
    }
}
