package dev.portainer.core.scheduler;

import dev.portainer.wire.LogFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Puts best-effort log frames back in order. A frame ahead of the next expected one waits until the gap before it
 * fills; the gap becomes {@linkplain #dueGap due} when it is older than {@code gapWait}, when too many frames wait
 * behind it, or when the task has ended. The caller then either {@linkplain #fill fills} it (with the lines read back
 * from the sandbox) or {@linkplain #skip skips} it, and the frames behind it follow. Later frames are held while a gap
 * is open, so that every line is printed in its place whenever it can be recovered. Not thread-safe: used by the
 * build's event loop only.
 */
final class LogSequencer {
    /** The missing sequence numbers {@code [from, to)}, in front of the waiting frames or at the end of the log. */
    record Gap(long from, long to) {
        long size() {
            return to - from;
        }
    }

    private final Duration gapWait;
    private final int maxWaiting;
    private final NavigableMap<Long, LogFrame> waiting = new TreeMap<>();
    private final NavigableSet<Long> missing = new TreeSet<>();
    private long next;
    private long delivered;
    private long recovered;
    private Instant gapSince;
    private long gapAt;
    private Instant lastSeen;
    /** The executor's count of frames sent, once the task ended (-1 when it did not say); null while running. */
    private Long ended;

    LogSequencer(Duration gapWait, int maxWaiting) {
        this.gapWait = gapWait;
        this.maxWaiting = maxWaiting;
    }

    /** Takes a frame; returns the frames now deliverable, in order. */
    List<LogFrame> accept(LogFrame frame, Instant now) {
        lastSeen = now;
        List<LogFrame> out = new ArrayList<>();
        long seq = frame.seq();
        if (seq < next) {
            // A frame we gave up on arrived after all: late is better than never; anything else is a duplicate.
            if (missing.remove(seq)) {
                delivered++;
                out.add(frame);
            }
            return out;
        }
        if (waiting.putIfAbsent(seq, frame) != null) {
            return out;
        }
        drain(out);
        trackGap(now);
        return out;
    }

    /** The first gap to fill or skip now, or null while none is due. */
    Gap dueGap(Instant now) {
        lastSeen = now;
        if (!waiting.isEmpty()) {
            boolean due = ended != null || waiting.size() > maxWaiting
                    || gapSince != null && !now.isBefore(gapSince.plus(gapWait));
            return due ? new Gap(next, waiting.firstKey()) : null;
        }
        return ended != null && next < ended ? new Gap(next, ended) : null;
    }

    /** Fills a due gap with its lines (as many as the gap is long); returns them and the frames behind, in order. */
    List<LogFrame> fill(Gap gap, List<String> lines) {
        if (gap.from() != next || lines.size() != gap.size()) {
            throw new IllegalArgumentException("gap " + gap + " does not match next=" + next + " and "
                    + lines.size() + " lines");
        }
        List<LogFrame> out = new ArrayList<>();
        for (String line : lines) {
            out.add(LogFrame.of(next++, line));
        }
        delivered += lines.size();
        recovered += lines.size();
        drain(out);
        trackGap(lastSeen);
        return out;
    }

    /** Gives a due gap up: its lines are remembered as missing; returns the frames behind it. */
    List<LogFrame> skip(Gap gap) {
        if (gap.from() != next) {
            throw new IllegalArgumentException("gap " + gap + " does not start at next=" + next);
        }
        for (long seq = gap.from(); seq < gap.to(); seq++) {
            missing.add(seq);
        }
        next = gap.to();
        List<LogFrame> out = new ArrayList<>();
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
     * The task ended: every gap is due at once, including the frames up to {@code totalSent} (the executor's count,
     * or -1 if unknown) that never arrived.
     */
    void end(long totalSent) {
        ended = Math.max(totalSent, -1);
    }

    /** Gives up on gaps older than gapWait; returns the frames that were waiting behind them. */
    List<LogFrame> expire(Instant now) {
        List<LogFrame> out = new ArrayList<>();
        Gap gap;
        while ((gap = dueGap(now)) != null) {
            out.addAll(skip(gap));
        }
        return out;
    }

    /** Ends the task and gives up on every gap; returns everything that was still waiting. */
    List<LogFrame> finish(long totalSent) {
        end(totalSent);
        return expire(lastSeen == null ? Instant.EPOCH : lastSeen);
    }

    /** When a gap next becomes due by age, or null if no frame waits. */
    Instant nextExpiry() {
        return gapSince == null ? null : gapSince.plus(gapWait);
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

    private void drain(List<LogFrame> out) {
        LogFrame frame;
        while ((frame = waiting.remove(next)) != null) {
            out.add(frame);
            delivered++;
            next++;
        }
    }
}
