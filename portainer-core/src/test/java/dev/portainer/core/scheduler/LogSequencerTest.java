package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portainer.wire.LogFrame;
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
    void tooManyWaitingFramesMakeTheGapDueAtOnce() {
        accept(2, T0);
        accept(3, T0);
        accept(4, T0);
        assertNull(logs.dueGap(T0));
        accept(5, T0);
        LogSequencer.Gap gap = logs.dueGap(T0);
        assertEquals(new LogSequencer.Gap(0, 2), gap);
        logs.skip(gap).forEach(f -> out.add(f.line()));
        assertEquals(List.of("line 2", "line 3", "line 4", "line 5"), out);
        assertEquals(List.of(0L, 1L), logs.missing());
    }

    @Test
    void aFilledGapPutsTheRecoveredLinesInTheirPlaceBeforeTheWaitingFrames() {
        accept(0, T0);
        accept(3, T0);
        accept(4, T0);
        assertNull(logs.dueGap(T0.plusMillis(1999)), "not due before the wait");
        LogSequencer.Gap gap = logs.dueGap(T0.plusSeconds(2));
        assertEquals(new LogSequencer.Gap(1, 3), gap);
        logs.fill(gap, List.of("line 1", "line 2")).forEach(f -> out.add(f.seq() + ":" + f.line()));
        assertEquals(List.of("line 0", "1:line 1", "2:line 2", "3:line 3", "4:line 4"), out);
        assertEquals(List.of(), logs.missing());
        assertEquals(5, logs.delivered());
        assertEquals(2, logs.recovered());
        assertNull(logs.nextExpiry());
    }

    @Test
    void afterTheTaskEndedTheNeverReceivedTailIsADueGap() {
        accept(0, T0);
        accept(2, T0);
        logs.end(5);
        LogSequencer.Gap first = logs.dueGap(T0);
        assertEquals(new LogSequencer.Gap(1, 2), first, "a waiting gap is due at once once the task ended");
        logs.fill(first, List.of("line 1")).forEach(f -> out.add(f.line()));
        LogSequencer.Gap tail = logs.dueGap(T0);
        assertEquals(new LogSequencer.Gap(3, 5), tail);
        logs.skip(tail);
        assertNull(logs.dueGap(T0));
        assertEquals(List.of("line 0", "line 1", "line 2"), out);
        assertEquals(List.of(3L, 4L), logs.missing());
        logs.recoveredLate(4);
        assertEquals(List.of(3L), logs.missing());
        assertEquals(4, logs.delivered());
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
