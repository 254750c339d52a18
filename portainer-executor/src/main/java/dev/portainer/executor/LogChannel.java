package dev.portainer.executor;

import dev.portainer.core.wire.LogFrame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The build log's way to the scheduler, apart from the status updates: lines handed in by the event loop wait in a
 * bounded queue, and the channel's own thread sends them as {@link LogFrame}s, each a run of consecutive lines of
 * at most about {@link #MAX_FRAME_CHARS} characters. A frame takes whatever waited while the previous one was on its
 * way, so a trickle of lines goes out line by line, at once, and a flood in large frames.
 *
 * <p>Frames are best effort, like the framework messages that carry them: when the queue is full, the loop's line
 * is refused and stays only in the sandbox's stdout, from which the scheduler reads it back. A full queue refuses
 * lines until it has drained to half, so that a flood leaves a few long gaps rather than many short ones. The memory
 * the channel holds is bounded whatever the build prints.
 */
final class LogChannel {
    /** A frame's size in characters of its lines, about its size on the wire. */
    static final int MAX_FRAME_CHARS = 64 * 1024;
    /** The queue's default budget, in estimated bytes of heap: a fraction of the executor's small heap. */
    static final long DEFAULT_CAPACITY_BYTES = 4L * 1024 * 1024;

    /** Sends one frame; throws when it did not reach the agent. */
    @FunctionalInterface
    interface Sender {
        void send(LogFrame frame) throws IOException;
    }

    private record Line(long seq, String text) {
    }

    private static final Line END = new Line(-1, "");

    private final Sender sender;
    private final Consumer<String> notes;
    private final long capacityBytes;
    private final BlockingQueue<Line> queue = new LinkedBlockingQueue<>();
    /** Estimated heap of the lines queued: added by the loop's thread, taken off by the channel's. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread thread;
    // Owned by the offering thread (the event loop).
    private boolean refusing;
    private long refusedSince = -1;
    // Owned by the channel's thread.
    private long failedSince = -1;
    private String firstFailure;

    /**
     * @param notes where the channel's own notes go (the executor's stdout, as notes)
     */
    LogChannel(Sender sender, Consumer<String> notes, long capacityBytes) {
        this.sender = sender;
        this.notes = notes;
        this.capacityBytes = capacityBytes;
        this.thread = new Thread(this::run, "agent-log");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a line to be sent, unless the queue is full (or draining after it was): then the line is left to the
     * sandbox's stdout and this returns false. Lines must come in sequence order; never blocks.
     */
    boolean offer(long seq, String text) {
        long size = sizeOf(text);
        long queued = queuedBytes.get();
        if (refusing ? queued > capacityBytes / 2 : queued + size > capacityBytes) {
            if (!refusing) {
                refusing = true;
                refusedSince = seq;
            }
            return false;
        }
        if (refusing) {
            refusing = false;
            notes.accept("log lines " + (refusedSince + 1) + " to " + seq + " were not sent as frames: the build "
                    + "printed them faster than they could be sent; they are in this file, from which the scheduler "
                    + "reads them back");
        }
        queuedBytes.addAndGet(size);
        queue.add(new Line(seq, text));
        return true;
    }

    /**
     * Sends what is queued, for at most {@code millis}, then stops the thread: the executor is about to exit, and
     * whatever is left is in the sandbox's stdout anyway.
     */
    void close(long millis) throws InterruptedException {
        queue.add(END);
        thread.join(Math.max(1, millis));
        thread.interrupt();
    }

    /** Whether the channel's thread has ended (after {@link #close}). */
    boolean isClosed() {
        return !thread.isAlive();
    }

    private void run() {
        Line carried = null;
        try {
            while (true) {
                Line first = carried != null ? carried : queue.take();
                carried = null;
                if (first == END) {
                    if (failedSince >= 0) {
                        notes.accept("log lines from " + (failedSince + 1) + " on were not delivered (" + firstFailure
                                + "); the scheduler reads them back from this file");
                    }
                    return;
                }
                List<String> lines = new ArrayList<>();
                lines.add(first.text());
                long chars = first.text().length();
                long taken = sizeOf(first.text());
                // Only this thread takes from the queue, so what poll() returns is what peek() saw.
                Line next;
                while ((next = queue.poll()) != null) {
                    if (next == END || next.seq() != first.seq() + lines.size()
                            || chars + next.text().length() > MAX_FRAME_CHARS) {
                        carried = next;
                        break;
                    }
                    lines.add(next.text());
                    chars += next.text().length();
                    taken += sizeOf(next.text());
                }
                queuedBytes.addAndGet(-taken);
                send(LogFrame.of(first.seq(), lines));
            }
        } catch (InterruptedException e) {
            // closed: what is left is in the sandbox's stdout
        }
    }

    private void send(LogFrame frame) {
        try {
            sender.send(frame);
            if (failedSince >= 0) {
                notes.accept("log lines " + (failedSince + 1) + " to " + frame.seq() + " were not delivered ("
                        + firstFailure + "); the scheduler reads them back from this file");
                failedSince = -1;
            }
        } catch (IOException e) {
            // Never retried: the scheduler reads the lines of a lost frame from the sandbox's stdout. Said once
            // per run of failures, not once per frame.
            if (failedSince < 0) {
                failedSince = frame.seq();
                firstFailure = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
    }

    /** About what a queued line costs the heap: its characters (Latin-1 strings take one byte each) and objects. */
    private static long sizeOf(String text) {
        return text.length() + 80L;
    }
}
