package dev.portainer.core.scheduler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes of log frames may wait for the run's loop: the client's thread asks {@link #admit} for each frame
 * as it arrives, the loop {@link #release}s it once taken. A full queue admits none until it has drained to half, so
 * that a flood leaves a few long gaps (read back from the sandbox later), not many short ones.
 */
final class LogQueueBudget {
    private final long maxBytes;
    /** Bytes of the frames admitted and not yet released: added by the client's thread, taken off by the loop. */
    private final AtomicLong queued = new AtomicLong();
    /** Set while frames are dropped on arrival, until the queue has drained to half; the client's thread's. */
    private volatile boolean dropping;

    LogQueueBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** On the client's thread: whether a frame of {@code size} bytes may wait for the loop, which counts it in. */
    boolean admit(long size) {
        long now = queued.get();
        if (dropping ? now > maxBytes / 2 : now + size > maxBytes) {
            dropping = true;
            return false;
        }
        dropping = false;
        queued.addAndGet(size);
        return true;
    }

    /** On the loop's thread: a frame of {@code size} bytes, admitted earlier, has been taken off the queue. */
    void release(long size) {
        queued.addAndGet(-size);
    }
}
