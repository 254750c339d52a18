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
        logs.accept(LogFrame.of(seq, "line " + seq), at).forEach(l -> out.add(l.text()));
    }

    /** A frame of the lines [from, to), each "line N". */
    private void acceptRun(long from, long to, Instant at) {
        logs.accept(run(from, to), at).forEach(l -> out.add(l.seq() + ":" + l.text()));
    }

    private static LogFrame run(long from, long to) {
        List<String> lines = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            lines.add("line " + seq);
        }
        return LogFrame.of(from, lines);
    }

    private static List<String> expected(long from, long to) {
        List<String> lines = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            lines.add(seq + ":line " + seq);
        }
        return lines;
    }

    @Test
    void aFrameOfSeveralLinesComesOutLineByLineEachWithItsOwnNumber() {
        acceptRun(0, 3, T0);
        acceptRun(3, 5, T0);
        assertEquals(expected(0, 5), out);
        assertEquals(5, logs.delivered());
        assertNull(logs.dueGap(T0.plusSeconds(60)));
    }

    @Test
    void aLostFrameIsAGapOfAllItsLinesAndTheRunsBehindItWaitWhole() {
        LogSequencer many = new LogSequencer(Duration.ofSeconds(2), 100);
        many.accept(run(0, 2), T0).forEach(l -> out.add(l.seq() + ":" + l.text()));
        many.accept(run(5, 8), T0); // 2..4 lost
        many.accept(run(8, 9), T0);
        assertEquals(expected(0, 2), out);
        LogSequencer.Gap gap = many.dueGap(T0.plusSeconds(2));
        assertEquals(new LogSequencer.Gap(2, 5), gap);

        // Filled in two parts, as a long gap is read back; the waiting runs follow the second.
        many.fill(new LogSequencer.Gap(2, 5), List.of("line 2", "line 3"))
                .forEach(l -> out.add(l.seq() + ":" + l.text()));
        assertEquals(expected(0, 4), out);
        many.fill(new LogSequencer.Gap(4, 5), List.of("line 4")).forEach(l -> out.add(l.seq() + ":" + l.text()));
        assertEquals(expected(0, 9), out);
        assertEquals(9, many.delivered());
        assertEquals(3, many.recovered());
        assertNull(many.nextExpiry());
    }

    @Test
    void tooManyWaitingLinesMakeTheGapDueEvenInOneFrame() {
        acceptRun(2, 5, T0);
        assertNull(logs.dueGap(T0), "three lines wait: not too many yet");
        acceptRun(5, 6, T0);
        assertEquals(new LogSequencer.Gap(0, 2), logs.dueGap(T0));
        LogSequencer one = new LogSequencer(Duration.ofSeconds(2), 3);
        one.accept(run(1, 5), T0);
        assertEquals(new LogSequencer.Gap(0, 1), one.dueGap(T0), "four lines behind the gap, all in one frame");
    }

    @Test
    void aRunThatOverlapsWhatIsWaitingOrDeliveredAddsOnlyItsNewLines() {
        acceptRun(0, 2, T0);
        acceptRun(4, 6, T0);
        acceptRun(1, 5, T0); // 1 was delivered and 4 waits: only 2 and 3 are new
        acceptRun(4, 6, T0); // a copy of a delivered frame
        assertEquals(expected(0, 6), out);
        assertEquals(6, logs.delivered());
        assertEquals(List.of(), logs.missing());
    }

    @Test
    void aRunGivenUpOnThatArrivesLateShowsOnlyTheLinesStillMissing() {
        acceptRun(0, 1, T0);
        acceptRun(4, 5, T0);
        logs.expire(T0.plusSeconds(3)).forEach(l -> out.add(l.seq() + ":" + l.text()));
        assertEquals(List.of(1L, 2L, 3L), logs.missing());
        logs.recoveredLate(2);
        acceptRun(1, 4, T0.plusSeconds(4));
        assertEquals(List.of("0:line 0", "4:line 4", "1:line 1", "3:line 3"), out);
        assertEquals(List.of(), logs.missing());
        assertEquals(5, logs.delivered());
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
        logs.expire(T0.plusMillis(2100)).forEach(l -> out.add(l.text()));
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
        logs.skip(gap).forEach(l -> out.add(l.text()));
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
        logs.fill(gap, List.of("line 1", "line 2")).forEach(l -> out.add(l.seq() + ":" + l.text()));
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
        logs.end(5, T0);
        LogSequencer.Gap first = logs.dueGap(T0);
        assertEquals(new LogSequencer.Gap(1, 2), first, "a waiting gap is due at once once the task ended");
        logs.fill(first, List.of("line 1")).forEach(l -> out.add(l.text()));
        // The final update may overtake the last frames: the tail waits for them as long as frames keep coming.
        assertNull(logs.dueGap(T0.plusMillis(1999)));
        assertEquals(T0.plusSeconds(2), logs.nextExpiry());
        LogSequencer.Gap tail = logs.dueGap(T0.plusSeconds(2));
        assertEquals(new LogSequencer.Gap(3, 5), tail);
        logs.skip(tail);
        assertNull(logs.dueGap(T0.plusSeconds(2)));
        assertEquals(List.of("line 0", "line 1", "line 2"), out);
        assertEquals(List.of(3L, 4L), logs.missing());
        logs.recoveredLate(4);
        assertEquals(List.of(3L), logs.missing());
        assertEquals(4, logs.delivered());
    }

    @Test
    void theTailOfAnEndedTaskIsShownAsItsFramesComeAndReadBackOnlyWhenTheyStop() {
        acceptRun(0, 2, T0);
        logs.end(6, T0);
        assertNull(logs.dueGap(T0.plusMillis(1500)));
        assertEquals(false, logs.complete());
        acceptRun(2, 4, T0.plusMillis(1500)); // still coming: the wait starts again
        assertNull(logs.dueGap(T0.plusMillis(3000)));
        assertEquals(T0.plusMillis(3500), logs.nextExpiry());
        assertEquals(new LogSequencer.Gap(4, 6), logs.dueGap(T0.plusMillis(3500)), "no frame for the wait");
        logs.fill(new LogSequencer.Gap(4, 6), List.of("line 4", "line 5")).forEach(l -> out.add(l.seq() + ":"
                + l.text()));
        assertEquals(expected(0, 6), out);
        assertEquals(true, logs.complete());
        assertEquals(2, logs.recovered());
    }

    @Test
    void aFrameGivenUpOnIsStillShownWhenItArrivesLateButDuplicatesAreNot() {
        accept(1, T0);
        logs.expire(T0.plusSeconds(3)).forEach(l -> out.add(l.text()));
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
        logs.finish(5).forEach(l -> out.add(l.text()));
        assertEquals(List.of("line 0", "line 2"), out);
        assertEquals(List.of(1L, 3L, 4L), logs.missing());
        assertEquals(2, logs.delivered());
    }
}
