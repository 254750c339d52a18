package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portainer.core.wire.LogFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogSequencerTest {
    private static final Instant T0 = Instant.parse("2026-11-25T18:31:43Z");
    private final LogSequencer logs = new LogSequencer(Duration.ofSeconds(2), 3);
    private final List<String> out = new ArrayList<>();

    private void accept(long seq, Instant at) {
        logs.accept(LogFrame.of(seq, "line " + seq), at).forEach(f -> out.add(f.line()));
    }

    @Test
    void outOfOrderFramesWaitForTheGapAndComeOutInOrder() {
        accept(1, T0);
        accept(2, T0);
        assertEquals(List.of(), out);
        accept(0, T0);
        assertEquals(List.of("line 0", "line 1", "line 2"), out);
        assertEquals(List.of(), logs.missing());
        assertNull(logs.nextExpiry());
    }

    @Test
    void aGapOlderThanTheWaitIsGivenUpAndRemembered() {
        accept(0, T0);
        accept(2, T0.plusMillis(100));
        assertEquals(T0.plusMillis(2100), logs.nextExpiry());
        assertEquals(List.of(), logs.expire(T0.plusMillis(2000)));
        logs.expire(T0.plusMillis(2100)).forEach(f -> out.add(f.line()));
        assertEquals(List.of("line 0", "line 2"), out);
        assertEquals(List.of(1L), logs.missing());
    }

    @Test
    void tooManyWaitingFramesGiveUpTheGapAtOnce() {
        accept(2, T0);
        accept(3, T0);
        accept(4, T0);
        accept(5, T0);
        assertEquals(List.of("line 2", "line 3", "line 4", "line 5"), out);
        assertEquals(List.of(0L, 1L), logs.missing());
    }

    @Test
    void aFrameGivenUpOnIsStillShownWhenItArrivesLateButDuplicatesAreNot() {
        accept(1, T0);
        logs.expire(T0.plusSeconds(3)).forEach(f -> out.add(f.line()));
        accept(0, T0.plusSeconds(4));
        accept(1, T0.plusSeconds(4));
        assertEquals(List.of("line 1", "line 0"), out);
        assertEquals(List.of(), logs.missing());
        assertEquals(2, logs.delivered());
    }

    @Test
    void finishingFlushesWaitingFramesAndCountsTheNeverSentTail() {
        accept(0, T0);
        accept(2, T0);
        logs.finish(5).forEach(f -> out.add(f.line()));
        assertEquals(List.of("line 0", "line 2"), out);
        assertEquals(List.of(1L, 3L, 4L), logs.missing());
        assertEquals(2, logs.delivered());
    }
}
