package dev.portainer.core.mesos.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromTheInitialWaitUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(3));
        assertEquals(Duration.ofMillis(500), b.delay(0));
        assertEquals(Duration.ofMillis(1000), b.delay(1));
        assertEquals(Duration.ofMillis(2000), b.delay(2));
        assertEquals(Duration.ofSeconds(3), b.delay(3));
        assertEquals(Duration.ofSeconds(3), b.delay(1_000), "no overflow for long outages");
    }

    @Test
    void refusesACapBelowTheInitialWait() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
