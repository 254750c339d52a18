package dev.portainer.executor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MesosDurationTest {
    @Test
    void readsTheUnitsAgentsWrite() {
        assertEquals(Duration.ofMinutes(15), MesosDuration.parse("15mins"));
        assertEquals(Duration.ofSeconds(5), MesosDuration.parse("5secs"));
        assertEquals(Duration.ofMillis(250), MesosDuration.parse("250ms"));
        assertEquals(Duration.ofMillis(1500), MesosDuration.parse("1.5secs"));
        assertEquals(Duration.ofHours(2), MesosDuration.parse("2hrs"));
    }

    @Test
    void refusesAnythingElse() {
        assertThrows(IllegalArgumentException.class, () -> MesosDuration.parse("15 minutes"));
        assertThrows(IllegalArgumentException.class, () -> MesosDuration.parse("15"));
    }
}
