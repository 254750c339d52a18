package dev.portainer.core.scheduler;

import dev.portainer.wire.LogFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Puts best-effort log frames back in order, line by line: a frame carries a run of lines numbered from its
 * {@linkplain LogFrame#seq first}. Lines ahead of the next expected one wait until the gap before them fills; the gap
 * becomes {@linkplain #dueGap due} when it is older than {@code gapWait}, when too many lines wait behind it, or when
 * the task has ended. The caller then either {@linkplain #fill fills} it (with the lines read back from the sandbox)
 * or {@linkplain #skip skips} it, and the lines behind it follow. Later lines are held while a gap is open, so that
 * every line is printed in its place whenever it can be recovered.
 *
 * <p>The lines after the last one received when the task ended are different: the final status update travels
 * apart from the frames and may overtake them, so the tail becomes due only once no frame has come for
 * {@code gapWait}; frames that keep coming are shown as they come, not read back twice. Not thread-safe: used by the
 * build's event loop only.
 */
final class LogSequencer {
    /** The missing sequence numbers {@code [from, to)}, in front of the waiting lines or at the end of the log. */
    record Gap(long from, long to) {
        long size() {
            return to - from;
        }
    }

    /** One line of the log, its sequence number and kind, as delivered. */
    record Line(long seq, String text, LogFrame.Kind kind) {
        Line(long seq, String text) {
            this(seq, text, LogFrame.Kind.OUTPUT);
        }
    }

    /** Consecutive lines waiting, with their kinds. */
    private record Run(List<String> lines, List<LogFrame.Kind> kinds) {
        int size() {
            return lines.size();
        }
    }

    private final Duration gapWait;
    private final int maxWaiting;
    /** Runs of lines ahead of {@link #next}, by the sequence number of their first line; they never overlap. */
    private final NavigableMap<Long, Run> waiting = new TreeMap<>();
    private long waitingLines;
    private final NavigableSet<Long> missing = new TreeSet<>();
    private long next;
    private long delivered;
    private long recovered;
    private Instant gapSince;
    private long gapAt;
    private Instant lastSeen;
    private Instant lastFrameAt;
    /** The executor's count of lines, once the task ended (-1 when it did not say); null while running. */
    private Long ended;
    private Instant endedAt;
    /** Set by {@link #finish}: every gap is due, the tail too, frames on their way or not. */
    private boolean givingUp;

    /** @param maxWaiting how many lines may wait behind a gap before it is due at once */
    LogSequencer(Duration gapWait, int maxWaiting) {
        this.gapWait = gapWait;
        this.maxWaiting = maxWaiting;
    }

    /** Takes a frame; returns the lines now deliverable, in order. */
    List<Line> accept(LogFrame frame, Instant now) {
        lastSeen = now;
        lastFrameAt = now;
        List<Line> out = new ArrayList<>();
        long seq = frame.seq();
        List<String> lines = frame.lines();
        List<LogFrame.Kind> kinds = frame.kinds();
        // Lines we gave up on that arrive after all: late is better than never; anything else before next is a
        // duplicate.
        for (int i = 0; i < lines.size() && seq + i < next; i++) {
            if (missing.remove(seq + i)) {
                delivered++;
                out.add(new Line(seq + i, lines.get(i), kinds.get(i)));
            }
        }
        long from = Math.max(seq, next);
        if (from >= frame.end()) {
            return out;
        }
        // What no waiting run holds already (frames of one executor never overlap; a copy of one adds nothing).
        while (from < frame.end()) {
            Map.Entry<Long, Run> before = waiting.floorEntry(from);
            if (before != null && before.getKey() + before.getValue().size() > from) {
                from = before.getKey() + before.getValue().size();
                continue;
            }
            Long after = waiting.higherKey(from);
            long to = after == null ? frame.end() : Math.min(frame.end(), after);
            waiting.put(from, new Run(lines.subList((int) (from - seq), (int) (to - seq)),
                    kinds.subList((int) (from - seq), (int) (to - seq))));
            waitingLines += to - from;
            from = to;
        }
        drain(out);
        trackGap(now);
        return out;
    }

    /** The first gap to fill or skip now, or null while none is due. */
    Gap dueGap(Instant now) {
        lastSeen = now;
        if (!waiting.isEmpty()) {
            boolean due = ended != null || waitingLines > maxWaiting
                    || gapSince != null && !now.isBefore(gapSince.plus(gapWait));
            return due ? new Gap(next, waiting.firstKey()) : null;
        }
        return ended != null && next < ended && (givingUp || !now.isBefore(tailDue())) ? new Gap(next, ended) : null;
    }

    /** When the tail is due: once no frame has come for {@code gapWait}, counting from the end at the earliest. */
    private Instant tailDue() {
        Instant from = lastFrameAt == null || lastFrameAt.isBefore(endedAt) ? endedAt : lastFrameAt;
        return from.plus(gapWait);
    }

    /** Whether every line up to the executor's count is shown or given up on, once the task has ended. */
    boolean complete() {
        return ended != null && waiting.isEmpty() && next >= ended;
    }

    /**
     * Fills the start of a due gap with its lines ({@code lines.size()} of them from {@code gap.from()}, at most
     * the gap's length, so that a long gap can be filled a part at a time); returns them and the lines behind,
     * in order.
     */
    List<Line> fill(Gap gap, List<String> lines) {
        return fill(gap, lines, java.util.Collections.nCopies(lines.size(), LogFrame.Kind.OUTPUT));
    }

    /** {@link #fill(Gap, List)} with lines of the given kinds, one for each line. */
    List<Line> fill(Gap gap, List<String> lines, List<LogFrame.Kind> kinds) {
        if (gap.from() != next || lines.size() > gap.size()) {
            throw new IllegalArgumentException("gap " + gap + " does not match next=" + next + " and "
                    + lines.size() + " lines");
        }
        Long firstWaiting = waiting.isEmpty() ? null : waiting.firstKey();
        if (firstWaiting != null && gap.from() + lines.size() > firstWaiting) {
            throw new IllegalArgumentException("gap " + gap + " runs into the lines waiting from " + firstWaiting);
        }
        List<Line> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            out.add(new Line(next++, lines.get(i), kinds.get(i)));
        }
        delivered += lines.size();
        recovered += lines.size();
        drain(out);
        trackGap(lastSeen);
        return out;
    }

    /** Gives a due gap up: its lines are remembered as missing; returns the lines behind it. */
    List<Line> skip(Gap gap) {
        if (gap.from() != next) {
            throw new IllegalArgumentException("gap " + gap + " does not start at next=" + next);
        }
        for (long seq = gap.from(); seq < gap.to(); seq++) {
            missing.add(seq);
        }
        next = gap.to();
        List<Line> out = new ArrayList<>();
        drain(out);
        trackGap(lastSeen);
        return out;
    }

    /** A line given up on earlier was read back from the sandbox after all (and shown out of place). */
    void recoveredLate(long seq) {
        if (missing.remove(seq)) {
            delivered++;
            recovered++;
        }
    }

    /**
     * The task ended at {@code now}: every gap in front of waiting lines is due at once, and the lines up to
     * {@code totalSent} (the executor's count, or -1 if unknown) not received yet are due once no frame has come for
     * {@code gapWait}.
     */
    void end(long totalSent, Instant now) {
        ended = Math.max(totalSent, -1);
        endedAt = now;
    }

    /** Gives up on gaps older than gapWait; returns the lines that were waiting behind them. */
    List<Line> expire(Instant now) {
        List<Line> out = new ArrayList<>();
        Gap gap;
        while ((gap = dueGap(now)) != null) {
            out.addAll(skip(gap));
        }
        return out;
    }

    /** Ends the task and gives up on every gap, the tail's too; returns everything that was still waiting. */
    List<Line> finish(long totalSent) {
        Instant now = lastSeen == null ? Instant.EPOCH : lastSeen;
        end(totalSent, now);
        givingUp = true;
        return expire(now);
    }

    /** When a gap next becomes due by age (the tail's included), or null if none waits to be. */
    Instant nextExpiry() {
        if (gapSince != null) {
            return gapSince.plus(gapWait);
        }
        return ended != null && next < ended && !givingUp ? tailDue() : null;
    }

    long delivered() {
        return delivered;
    }

    /** How many delivered lines were read back from the sandbox rather than received. */
    long recovered() {
        return recovered;
    }

    /** Sequence numbers given up on, ascending. */
    List<Long> missing() {
        return List.copyOf(missing);
    }

    /** A gap's wait starts when it opens, not when an earlier gap was first seen. */
    private void trackGap(Instant now) {
        if (waiting.isEmpty()) {
            gapSince = null;
        } else if (gapSince == null || gapAt != next) {
            gapSince = now;
            gapAt = next;
        }
    }

    private void drain(List<Line> out) {
        Run run;
        while ((run = waiting.remove(next)) != null) {
            for (int i = 0; i < run.size(); i++) {
                out.add(new Line(next++, run.lines().get(i), run.kinds().get(i)));
            }
            delivered += run.size();
            waitingLines -= run.size();
        }
    }
}
