package dev.portainer.core.scheduler;

import dev.portainer.core.wire.LogFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Puts best-effort log frames back in order. A frame ahead of the next expected one waits until the gap fills, the
 * gap is older than {@code gapWait} or too many frames wait; then the gap is given up and remembered as missing (to be
 * recovered from the sandbox later). Not thread-safe: used by the build's event loop only.
 */
final class LogSequencer {
    private final Duration gapWait;
    private final int maxWaiting;
    private final NavigableMap<Long, LogFrame> waiting = new TreeMap<>();
    private final NavigableSet<Long> missing = new TreeSet<>();
    private long next;
    private long delivered;
    private Instant gapSince;
    private long gapAt;

    LogSequencer(Duration gapWait, int maxWaiting) {
        this.gapWait = gapWait;
        this.maxWaiting = maxWaiting;
    }

    /** Takes a frame; returns the frames now deliverable, in order. */
    List<LogFrame> accept(LogFrame frame, Instant now) {
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
        if (waiting.size() > maxWaiting) {
            skipGap(out);
        }
        trackGap(now);
        return out;
    }

    /** Gives up on a gap older than gapWait; returns the frames that were waiting behind it. */
    List<LogFrame> expire(Instant now) {
        List<LogFrame> out = new ArrayList<>();
        while (gapSince != null && !now.isBefore(gapSince.plus(gapWait))) {
            skipGap(out);
            trackGap(now);
        }
        return out;
    }

    /** When {@link #expire} next has something to do, or null if no frame waits. */
    Instant nextExpiry() {
        return gapSince == null ? null : gapSince.plus(gapWait);
    }

    /**
     * The task ended: delivers everything still waiting, and counts as missing every frame up to {@code totalSent}
     * (the executor's count, or -1 if unknown) that never arrived.
     */
    List<LogFrame> finish(long totalSent) {
        List<LogFrame> out = new ArrayList<>();
        while (!waiting.isEmpty()) {
            skipGap(out);
        }
        gapSince = null;
        for (long seq = next; seq < totalSent; seq++) {
            missing.add(seq);
        }
        next = Math.max(next, totalSent);
        return out;
    }

    long delivered() {
        return delivered;
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

    private void skipGap(List<LogFrame> out) {
        long first = waiting.firstKey();
        for (long seq = next; seq < first; seq++) {
            missing.add(seq);
        }
        next = first;
        drain(out);
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
