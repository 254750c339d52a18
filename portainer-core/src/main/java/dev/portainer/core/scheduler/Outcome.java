package dev.portainer.core.scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How one thing a run was asked for ended: its result, or why it failed. A build task ends as
 * {@code Outcome<BuildTask, BuildOutcome>}; an image as {@code Outcome<ImageSpec, BuildResult>}, a push as
 * {@code Outcome<ImageToPush, BuildResult>}.
 *
 * @param subject what was asked for
 * @param result  what it gave, or null
 * @param failure why it failed (the build, the cluster, a cancellation), or null
 * @param elapsed from the start of the run to its end
 * @param <S>     what is asked for
 * @param <R>     what it gives when it succeeds
 */
public record Outcome<S, R>(S subject, R result, BuildException failure, Duration elapsed) {
    public Outcome {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(elapsed, "elapsed");
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("an outcome is either a result or a failure");
        }
    }

    /** {@code subject} gave {@code result}. */
    public static <S, R> Outcome<S, R> success(S subject, R result, Duration elapsed) {
        return new Outcome<>(subject, Objects.requireNonNull(result, "result"), null, elapsed);
    }

    /** {@code subject} failed with {@code failure}. */
    public static <S, R> Outcome<S, R> failure(S subject, BuildException failure, Duration elapsed) {
        return new Outcome<>(subject, null, Objects.requireNonNull(failure, "failure"), elapsed);
    }

    /** Whether it succeeded. */
    public boolean succeeded() {
        return result != null;
    }

    /** The result, or the failure thrown. */
    public R orThrow() throws BuildException {
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    /**
     * This outcome as {@code subject}'s, with its result (if any) converted by {@code convert}: the same failure and
     * time, one level up (a task's outcome as its image's).
     */
    public <T, Q> Outcome<T, Q> as(T subject, Function<? super R, ? extends Q> convert) {
        return new Outcome<>(subject, failure == null ? convert.apply(result) : null, failure, elapsed);
    }
}
