package dev.portainer.core.scheduler;

import java.time.Duration;
import java.util.Objects;

/**
 * How one task of a run ended: its {@link BuildOutcome} when the image was built, else the failure.
 *
 * @param task    the task as given to the runner
 * @param outcome the successful build, or null
 * @param failure why the task failed (the build, the cluster, a cancellation), or null
 * @param elapsed from the start of the run to the task's end
 */
public record TaskOutcome(BuildTask task, BuildOutcome outcome, BuildException failure, Duration elapsed) {
    public TaskOutcome {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(elapsed, "elapsed");
        if ((outcome == null) == (failure == null)) {
            throw new IllegalArgumentException("a task outcome is either a success or a failure");
        }
    }

    /** Whether the image was built. */
    public boolean succeeded() {
        return outcome != null;
    }
}
