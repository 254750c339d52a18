package dev.portainer.core.scheduler;

import dev.portainer.core.scheduler.BuildRun.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/**
 * The deadlines of one build task of a run: for an offer, for the build, and for a kill to be confirmed. Which one
 * counts is the task's phase's; the run's loop asks what is due and acts on it. Not thread-safe: the loop alone uses
 * it.
 */
final class TaskDeadlines {
    /** How long a killed task may take to say it is dead before we tear the framework down regardless. */
    static final Duration KILL_GRACE = Duration.ofSeconds(15);
    /** The longest the loop waits for a signal: a fixed test clock must not stall it forever. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(1);

    /** What has come due: nothing, the wait for an offer, the build, or the kill's grace. */
    enum Due { NOTHING, OFFER, BUILD, KILL }

    private final Duration offerTimeout;
    /** Null: the build may take as long as it takes. */
    private final Duration buildTimeout;
    private Instant offer;
    private Instant build;
    private Instant kill;
    private ClusterException killReason;

    TaskDeadlines(Duration offerTimeout, Duration buildTimeout) {
        this.offerTimeout = Objects.requireNonNull(offerTimeout, "offerTimeout");
        this.buildTimeout = buildTimeout;
    }

    /** The task waits for an offer from {@code now}: at the start of the run, or for a retry. */
    void waitForOffer(Instant now) {
        offer = now.plus(offerTimeout);
        build = null; // an earlier attempt's
    }

    /**
     * Another task of the run ended at {@code at}: the wait for an offer starts again from there, since what this one
     * waited for may have been held by its siblings rather than missing from the cluster. Never shortens it.
     */
    void anotherEnded(Instant at) {
        Instant refreshed = at.plus(offerTimeout);
        if (offer == null || refreshed.isAfter(offer)) {
            offer = refreshed;
        }
    }

    /** The task was launched at {@code now}: its build timeout runs from here. */
    void launched(Instant now) {
        build = buildTimeout == null ? null : now.plus(buildTimeout);
    }

    /** The task is being killed from {@code now} for {@code reason}, which is its failure if it dies of the kill. */
    void killing(Instant now, ClusterException reason) {
        kill = now.plus(KILL_GRACE);
        killReason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the task is being killed, or null if it never was. */
    ClusterException killReason() {
        return killReason;
    }

    /** The deadline that counts in {@code phase}, or null when none does. */
    Instant next(Phase phase) {
        return switch (phase) {
            case WAITING_FOR_OFFER -> offer;
            case LAUNCHED -> build;
            case KILLING -> kill;
            case DRAINING, DONE -> null;
        };
    }

    /** What is due at {@code now} in {@code phase}: a deadline is due from its instant on. */
    Due due(Phase phase, Instant now) {
        Instant deadline = next(phase);
        if (deadline == null || now.isBefore(deadline)) {
            return Due.NOTHING;
        }
        return switch (phase) {
            case WAITING_FOR_OFFER -> Due.OFFER;
            case LAUNCHED -> Due.BUILD;
            case KILLING -> Due.KILL;
            case DRAINING, DONE -> Due.NOTHING;
        };
    }

    /**
     * How long the loop may wait at {@code now} for a signal before the earliest of {@code deadlines} (nulls ignored)
     * is due: at least 1 ms so that the poll yields, at most {@link #LONGEST_WAIT}.
     */
    static long millisToWait(Instant now, Collection<Instant> deadlines) {
        Instant next = deadlines.stream().filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
        long longest = LONGEST_WAIT.toMillis();
        if (next == null) {
            return longest;
        }
        return Math.max(1, Math.min(longest, Duration.between(now, next).toMillis()));
    }
}
