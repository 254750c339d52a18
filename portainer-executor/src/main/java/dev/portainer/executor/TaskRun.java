package dev.portainer.executor;

import dev.portainer.executor.build.ImageBuild;
import dev.portainer.wire.ExecutorStdout;
import dev.portainer.wire.LogFrame;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.mesos.v1.Protos.TaskInfo;

/**
 * One task of the executor and its build log, as the {@link ExecutorLoop} runs it: where it is in its life, what of
 * it the agent acknowledged, and the lines it printed that are not yet handed to the {@link LogChannel}. Owned by the
 * loop's thread, like everything the loop holds; an executor of several tasks keeps one per task.
 */
final class TaskRun {
    enum Phase { STARTING, RUNNING, KILLING, TERMINAL_SENT }

    final TaskInfo task;
    final String id;
    /** What its frames name as their task: null for an executor of one task, whose frames are all this task's. */
    final String frameTaskId;
    /** Where its build lines go ({@link ExecutorStdout}'s contract): stdout, or its own file among several tasks. */
    private final PrintStream log;
    private final boolean ownsLog;
    Phase phase = Phase.STARTING;
    /** Whether the agent acknowledged any of its updates (else SUBSCRIBE carries the task). */
    boolean acknowledged;
    ImageBuild build;
    Instant killDeadline;
    /** When its terminal update counts as never to be acknowledged; null while none waits (or while disconnected). */
    Instant ackDeadline;
    UUID terminalUuid;
    /** Its build's first push waits on this until the update saying so is acknowledged; null when none waits. */
    CompletableFuture<Boolean> pushGate;
    UUID pushUpdate;
    long nextSeq;
    /** Lines printed since its log was last flushed, numbered on from {@link #pendingFirstSeq}, for the channel. */
    private final List<byte[]> pending = new ArrayList<>();
    /** Which of the pending lines are progress: their offsets in {@link #pending}, ascending. */
    private final List<Integer> pendingProgress = new ArrayList<>();
    private long pendingFirstSeq;
    private int pendingBytes;

    /**
     * @param log     where its build lines are printed
     * @param ownsLog whether {@code log} is the task's own, to be closed once its terminal update is sent
     */
    TaskRun(TaskInfo task, String frameTaskId, PrintStream log, boolean ownsLog) {
        this.task = task;
        this.id = task.getTaskId().getValue();
        this.frameTaskId = frameTaskId;
        this.log = log;
        this.ownsLog = ownsLog;
    }

    boolean isTerminal() {
        return phase == Phase.TERMINAL_SENT;
    }

    int pendingLines() {
        return pending.size();
    }

    int pendingBytes() {
        return pendingBytes;
    }

    /**
     * Prints a build line to the task's log and, when {@code framed} (the executor is subscribed: frames can leave),
     * keeps it for the channel. The caller flushes.
     */
    void print(String text, LogFrame.Kind kind, boolean framed, LogChannel channel) {
        // As bytes, once: the same go to stdout and, unless they need escaping, into the frame; the kind goes to stdout
        // as its mark, to the frame as a field.
        byte[] line = ExecutorLoop.stdoutSafe(text).getBytes(StandardCharsets.UTF_8);
        log.write(line, 0, line.length);
        if (kind == LogFrame.Kind.PROGRESS) {
            log.write(ExecutorStdout.PROGRESS_MARK);
        }
        log.write('\n');
        long seq = nextSeq++;
        if (framed) {
            if (pending.isEmpty()) {
                pendingFirstSeq = seq;
            } else if (pendingFirstSeq + pending.size() != seq) {
                flush(channel); // a line was not framed in between: the pending lines must stay one run
                pendingFirstSeq = seq;
            }
            if (kind == LogFrame.Kind.PROGRESS) {
                pendingProgress.add(pending.size());
            }
            pending.add(line);
            pendingBytes += line.length;
        }
    }

    /**
     * Flushes the task's log, then hands the lines printed since to the channel: a line is in the sandbox's file
     * before its frame can reach the scheduler, which reads the file back for the frames that do not.
     */
    void flush(LogChannel channel) {
        log.flush();
        // Best effort by design: lines the channel has no room for are recovered by the scheduler from the file.
        channel.offer(frameTaskId, pendingFirstSeq, pending, pendingProgress);
        pending.clear();
        pendingProgress.clear();
        pendingBytes = 0;
    }

    /** Its terminal update is out: no line follows, and a log of its own is closed. */
    void endLog(LogChannel channel) {
        flush(channel);
        channel.ended(frameTaskId);
        if (ownsLog) {
            log.close();
        }
    }

    /** Lets a push that waits for its update go no further: the task is being stopped. */
    void releasePush() {
        if (pushGate != null) {
            pushGate.complete(false);
            pushGate = null;
        }
    }
}
