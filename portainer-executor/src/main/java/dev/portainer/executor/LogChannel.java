package dev.portainer.executor;

import dev.portainer.wire.ExecutorStdout;
import dev.portainer.wire.LogFrame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The build log's way to the scheduler, apart from the status updates: runs of lines handed in by the event loop wait
 * in a bounded queue, already encoded for the wire (about a byte a character), and the channel's own thread sends
 * them as {@link LogFrame}s of at most about {@link #MAX_FRAME_BYTES}. A frame takes whatever waited while the
 * previous one was on its way, so a trickle of lines goes out line by line, at once, and a flood in large frames.
 *
 * <p>Frames are best effort, like the framework messages that carry them: when the queue is full, the loop's run is
 * refused and its lines stay only in the sandbox's stdout, from which the scheduler reads them back. A full queue
 * refuses runs until it has drained to half, so that a flood leaves a few long gaps rather than many short ones. The
 * memory the channel holds is bounded whatever the build prints.
 *
 * <p>An executor of several tasks sends the logs of all of them through one channel, each run naming its task: the
 * bound is shared (the executor's heap is), a frame holds the lines of one task only, and each task's lines are
 * numbered on their own, so a gap in one task's frames is read back from that task's file.
 */
final class LogChannel {
    /** A frame's size on the wire, about; a single run larger than this (very long lines) goes alone. */
    static final int MAX_FRAME_BYTES = 64 * 1024;
    /**
     * The queue's default bound, in bytes of encoded lines: a million short lines fit, a quarter of the executor's heap
     * (the scheduler starts its JVM with -Xmx64m).
     */
    static final long DEFAULT_CAPACITY_BYTES = 16L * 1024 * 1024;
    /** What a queued run costs beyond its bytes (the objects that hold it). */
    private static final int RUN_OVERHEAD = 64;

    /** Sends one frame, given as its bytes and what it holds; throws when it did not reach the agent. */
    @FunctionalInterface
    interface Sender {
        void send(byte[] frame) throws IOException;
    }

    /**
     * Consecutive lines from {@code seq} of task {@code taskId} (null: the executor's one task), encoded
     * ({@link LogFrame#encodeUtf8Run}); {@code progress} holds the offsets of the
     * {@linkplain LogFrame.Kind#PROGRESS progress} lines among them.
     */
    private record Run(String taskId, long seq, int count, byte[] encoded, int[] progress) {
        long end() {
            return seq + count;
        }

        /** Whether {@code other} holds lines of the same task: only those may share a frame. */
        boolean sameTask(Run other) {
            return Objects.equals(taskId, other.taskId());
        }
    }

    private static final int[] NO_PROGRESS = new int[0];
    private static final Run END = new Run(null, -1, 0, new byte[0], NO_PROGRESS);
    /** The key of the executor's one task in the maps below, whose task has no id on the wire. */
    private static final String ONE_TASK = "";

    private final Sender sender;
    private final Consumer<String> notes;
    private final long capacityBytes;
    private final BlockingQueue<Run> queue = new LinkedBlockingQueue<>();
    /** Bytes of the runs queued: added by the loop's thread, taken off by the channel's. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Frames sent (or failed), for {@link #close} to tell whether the channel still makes way. */
    private final AtomicLong framesSent = new AtomicLong();
    private final Thread thread;
    // Owned by the offering thread (the event loop).
    private boolean refusing;
    /** By task: the first line refused since its last run was taken. */
    private final Map<String, Long> refusedSince = new HashMap<>();
    // Owned by the channel's thread.
    /** By task: the first line of the first frame that failed since one last went through, and why it failed. */
    private final Map<String, Long> failedSince = new HashMap<>();
    private final Map<String, String> firstFailure = new HashMap<>();

    /** @param notes where the channel's own notes go (the executor's stdout, as notes) */
    LogChannel(Sender sender, Consumer<String> notes, long capacityBytes) {
        this.sender = sender;
        this.notes = notes;
        this.capacityBytes = capacityBytes;
        this.thread = new Thread(this::run, "agent-log");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues the lines from {@code seq} (their UTF-8 bytes) to be sent, unless the queue is full (or draining after it was): then they are
     * left to the sandbox's stdout and this returns false. Runs must come in sequence order; never blocks.
     *
     * @param progress the offsets among {@code lines} (ascending) of those that are progress
     */
    boolean offer(long seq, List<byte[]> lines, List<Integer> progress) {
        return offer(null, seq, lines, progress);
    }

    /**
     * Like {@link #offer(long, List, List)}, for the task {@code taskId} of an executor of several tasks (null: the
     * executor's one task). Each task's runs must come in its own sequence order.
     */
    boolean offer(String taskId, long seq, List<byte[]> lines, List<Integer> progress) {
        if (lines.isEmpty()) {
            return true;
        }
        long chars = 0;
        for (byte[] line : lines) {
            chars += line.length;
        }
        long queued = queuedBytes.get();
        // A run that would fill half the queue on its own (a line of megabytes) is not held at all.
        if (refusing && queued > capacityBytes / 2 || !refusing && queued >= capacityBytes || chars > capacityBytes / 2) {
            refusing = true;
            refusedSince.putIfAbsent(key(taskId), seq);
            return false;
        }
        refusing = false;
        Long refused = refusedSince.remove(key(taskId));
        if (refused != null) {
            notes.accept(prefix(taskId) + "log lines " + (refused + 1) + " to " + seq + " were not sent as frames: "
                    + "the build printed them faster than they could be sent; they are in " + file(taskId)
                    + ", from which the scheduler reads them back");
        }
        byte[] encoded = LogFrame.encodeUtf8Run(lines);
        queuedBytes.addAndGet(encoded.length + RUN_OVERHEAD);
        int[] progressOffsets = NO_PROGRESS;
        if (!progress.isEmpty()) { // most runs have none: a flood of output allocates nothing more for them
            progressOffsets = progress.stream().mapToInt(Integer::intValue).toArray();
        }
        queue.add(new Run(taskId, seq, lines.size(), encoded, progressOffsets));
        return true;
    }

    /** Forgets what was refused of a task that ended: it has no more lines, and its result counts them all. */
    void ended(String taskId) {
        refusedSince.remove(key(taskId));
    }

    private static String key(String taskId) {
        return taskId == null ? ONE_TASK : taskId;
    }

    /** What starts a note about task {@code taskId}: nothing for the executor's one task. */
    private static String prefix(String taskId) {
        return taskId == null ? "" : taskId + ": ";
    }

    /** The file that holds the lines of task {@code taskId}, as a note names it. */
    private static String file(String taskId) {
        return taskId == null ? "this file" : ExecutorStdout.taskFile(taskId);
    }

    /**
     * Sends what is queued, as long as frames keep leaving (none for {@code idleMillis} or {@code maxMillis} in all
     * ends it), then stops the thread: the executor is about to exit, and whatever is left is in the sandbox's
     * stdout anyway. The scheduler waits for frames that keep coming rather than reading their lines back twice.
     */
    void close(long idleMillis, long maxMillis) throws InterruptedException {
        queue.add(END);
        long end = System.nanoTime() + maxMillis * 1_000_000;
        long sent;
        do {
            sent = framesSent.get();
            thread.join(Math.max(1, Math.min(idleMillis, (end - System.nanoTime()) / 1_000_000)));
        } while (thread.isAlive() && framesSent.get() != sent && System.nanoTime() < end);
        thread.interrupt();
    }

    private void run() {
        Run carried = null;
        try {
            while (true) {
                Run first = carried != null ? carried : queue.take();
                carried = null;
                if (first == END) {
                    failedSince.forEach((task, since) -> {
                        String taskId = task.equals(ONE_TASK) ? null : task;
                        notes.accept(prefix(taskId) + "log lines from " + (since + 1) + " on were not delivered ("
                                + firstFailure.get(task) + "); the scheduler reads them back from " + file(taskId));
                    });
                    return;
                }
                List<byte[]> runs = new ArrayList<>();
                List<Integer> progress = new ArrayList<>();
                addProgress(progress, first, first.seq());
                runs.add(first.encoded());
                long end = first.end();
                long bytes = first.encoded().length;
                // Only this thread takes from the queue.
                Run next;
                while ((next = queue.poll()) != null) {
                    if (next == END || !first.sameTask(next) || next.seq() != end
                            || bytes + next.encoded().length > MAX_FRAME_BYTES) {
                        carried = next;
                        break;
                    }
                    addProgress(progress, next, first.seq());
                    runs.add(next.encoded());
                    end = next.end();
                    bytes += next.encoded().length;
                }
                queuedBytes.addAndGet(-(bytes + (long) runs.size() * RUN_OVERHEAD));
                send(first.taskId(), first.seq(), LogFrame.toBytes(first.taskId(), first.seq(), runs, progress));
            }
        } catch (InterruptedException e) {
            // closed: what is left is in the sandbox's stdout
        }
    }

    /** The run's progress lines, as offsets in a frame that starts at {@code frameSeq}. */
    private static void addProgress(List<Integer> progress, Run run, long frameSeq) {
        for (int offset : run.progress()) {
            progress.add((int) (run.seq() - frameSeq) + offset);
        }
    }

    private void send(String taskId, long seq, byte[] frame) {
        String task = key(taskId);
        try {
            sender.send(frame);
            framesSent.incrementAndGet();
            Long since = failedSince.remove(task);
            if (since != null) {
                notes.accept(prefix(taskId) + "log lines " + (since + 1) + " to " + seq + " were not delivered ("
                        + firstFailure.remove(task) + "); the scheduler reads them back from " + file(taskId));
            }
        } catch (IOException e) {
            framesSent.incrementAndGet();
            // Never retried: the scheduler reads the lines of a lost frame from the sandbox's stdout. Said once
            // per run of failures, not once per frame.
            if (!failedSince.containsKey(task)) {
                failedSince.put(task, seq);
                firstFailure.put(task, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
    }
}
