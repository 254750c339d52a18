package dev.portainer.core.build;

import dev.portainer.core.scheduler.BuildException;
import java.time.Duration;
import java.util.Objects;

/**
 * How one push of an image built earlier ended: the image as pushed (its digests), or why it was not.
 *
 * @param image   what was asked for
 * @param result  the earlier build's result with the digests of this push, or null
 * @param failure why it failed, or null
 * @param elapsed from the start of scheduling to this push's end
 */
public record PushOutcome(ImageToPush image, BuildResult result, BuildException failure, Duration elapsed) {
    public PushOutcome {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(elapsed, "elapsed");
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("a push outcome is either a result or a failure");
        }
    }

    /** Whether every tag was pushed. */
    public boolean succeeded() {
        return result != null;
    }
}
