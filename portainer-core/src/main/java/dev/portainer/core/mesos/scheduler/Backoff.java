package dev.portainer.core.mesos.scheduler;

import java.time.Duration;
import java.util.Objects;

/**
 * Capped exponential backoff between re-subscription attempts: initial, 2×, 4×… up to max. No jitter: one Maven JVM
 * is one framework, there is no herd to spread.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** Mesos's own scheduler library waits about this long. */
    public static Backoff standard() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(16));
    }

    /** The wait before the given retry (0 = first retry). */
    public Duration delay(int attempt) {
        int shift = Math.min(Math.max(attempt, 0), 30);
        Duration d = initial.multipliedBy(1L << shift);
        return d.compareTo(max) > 0 || d.isNegative() ? max : d;
    }
}
