package dev.portainer.core.scheduler;

import dev.portainer.wire.ExecutorStdout;
import dev.portainer.wire.LogFrame;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The build log of one attempt: the executor's frames put in sequence and shown, gaps filled in place from the
 * sandbox's stdout (or given up on and tried once more, out of place, at the end), Docker's warnings and progress
 * lines told apart (a line read back keeps its kind by {@link ExecutorStdout}'s mark). A relaunched executor numbers
 * its lines from the start again, so each attempt has its own. Not thread-safe: the run's loop alone uses it.
 */
final class AttemptLog {
    private final String taskName;
    private final BuildEvents events;
    private final int readBackLines;
    private final LogSequencer sequence;
    /** Which shown lines are Docker's warnings. */
    private final BuildLogClassifier classifier = new BuildLogClassifier();
    /** The sequence number of the line the classifier expects next; a frame before it is shown out of place. */
    private long nextShown;
    /** Where lost lines are read back from; null until launched on an agent whose URL the offer gave. */
    private SandboxLog sandbox;
    private String sandboxStdout;
    /** Why reading the sandbox failed, once it did: no more attempts until the task ended (then one last one). */
    private String sandboxFailure;
    private boolean sandboxMismatch;

    /**
     * @param gapWait       how long a gap may stay open before it is read back
     * @param maxWaiting    how many lines may wait behind a gap before it is read back at once
     * @param readBackLines how many lines are read back and shown at a time (the heap holds one part)
     */
    AttemptLog(String taskName, BuildEvents events, Duration gapWait, int maxWaiting, int readBackLines) {
        this.taskName = taskName;
        this.events = events;
        this.sequence = new LogSequencer(gapWait, maxWaiting);
        this.readBackLines = readBackLines;
    }

    /** From now on, lost lines are read back from {@code sandbox}, which is the file {@code where}. */
    void readsBackFrom(SandboxLog sandbox, String where) {
        this.sandbox = sandbox;
        this.sandboxStdout = where;
    }

    /** Shows the lines of the frame that are now in sequence. */
    void accept(LogFrame frame, Instant now) {
        deliver(sequence.accept(frame, now));
    }

    /**
     * The task ended, having printed {@code lines} lines (-1: it did not say): its tail is due, and the sandbox
     * worth one more try, for the executor printed every line before its final update.
     */
    void end(long lines, Instant now) {
        sequence.end(lines, now);
        sandboxFailure = null;
    }

    /** Whether every line is shown, read back or given up on (after {@link #end}). */
    boolean complete() {
        return sequence.complete();
    }

    /** When the next gap becomes due, or null. */
    Instant nextExpiry() {
        return sequence.nextExpiry();
    }

    long delivered() {
        return sequence.delivered();
    }

    List<Long> missing() {
        return sequence.missing();
    }

    /**
     * Fills every gap that is due with the lines read back from the sandbox, in their place; skips it when they
     * cannot be read (they are tried once more, out of place, at the end). Later frames wait meanwhile.
     *
     * @param ended whether the task has ended: then the sandbox is tried even after a failed read
     */
    void fillDueGaps(Instant now, boolean ended) throws InterruptedException {
        LogSequencer.Gap gap;
        while ((gap = sequence.dueGap(now)) != null) {
            // A part at a time, each shown before the next is read: the heap holds one part, whatever the gap.
            long from = gap.from();
            while (from < gap.to()) {
                long to = Math.min(gap.to(), from + readBackLines);
                List<String> lines = ended || sandboxFailure == null ? readBack(from, to) : null;
                if (lines == null) {
                    deliver(sequence.skip(new LogSequencer.Gap(from, gap.to())));
                    break;
                }
                List<String> texts = new ArrayList<>(lines.size());
                List<LogFrame.Kind> kinds = new ArrayList<>(lines.size());
                for (String line : lines) {
                    texts.add(ExecutorStdout.textOf(line));
                    kinds.add(ExecutorStdout.kindOf(line));
                }
                deliver(sequence.fill(new LogSequencer.Gap(from, gap.to()), texts, kinds));
                from = to;
            }
        }
    }

    /** Lines given up on during the build get one more chance at the end, shown with a note since out of place. */
    void recoverGivenUpLines() throws InterruptedException {
        List<Long> missing = sequence.missing();
        if (missing.isEmpty() || sandbox == null || sandboxMismatch || sandboxFailure != null) {
            return;
        }
        List<String> lines = readBack(missing.get(0), missing.get(missing.size() - 1) + 1);
        if (lines == null) {
            return;
        }
        for (long seq : missing) {
            String line = lines.get((int) (seq - missing.get(0)));
            // Out of place, a progress line is shown as a line like any other: it supersedes nothing there.
            show(BuildLogClassifier.alone(ExecutorStdout.textOf(line)), "(recovered line " + (seq + 1) + ") ",
                    LogFrame.Kind.OUTPUT);
            sequence.recoveredLate(seq);
        }
    }

    /**
     * What to tell of lines that stayed lost: why the sandbox could not give them, and where the full log is;
     * empty when nothing is known.
     */
    String whereTheLostLinesAre() {
        return (sandboxFailure == null ? "" : " and could not be read back from the sandbox (" + sandboxFailure + ")")
                + (sandboxStdout == null ? "" : "; the full log is " + sandboxStdout);
    }

    private void deliver(List<LogSequencer.Line> lines) {
        for (LogSequencer.Line line : lines) {
            BuildLogClassifier.Shown shown;
            LogFrame.Kind kind = line.kind();
            if (line.seq() < nextShown) {
                shown = BuildLogClassifier.alone(line.text()); // a line given up on arrived after all
                kind = LogFrame.Kind.OUTPUT;
            } else {
                if (line.seq() > nextShown) {
                    classifier.gap();
                }
                shown = classifier.classify(line.text());
                nextShown = line.seq() + 1;
            }
            show(shown, "", kind);
            if (sandbox != null) {
                // The raw line: the file holds what the executor received, escapes, progress mark and all.
                sandbox.delivered(line.seq(), ExecutorStdout.stdoutLine(line.text(), line.kind()));
            }
        }
    }

    private void show(BuildLogClassifier.Shown shown, String note, LogFrame.Kind kind) {
        if (shown.warning()) {
            events.logWarning(taskName, note + shown.text());
        } else if (kind == LogFrame.Kind.PROGRESS) {
            events.progress(taskName, note + shown.text());
        } else {
            events.log(taskName, note + shown.text());
        }
    }

    /** Build log lines [from, to) from the sandbox's stdout, as it holds them (progress marks and all), or null (and the reason remembered) if unavailable. */
    private List<String> readBack(long from, long to) throws InterruptedException {
        if (sandbox == null || sandboxMismatch) {
            return null;
        }
        try {
            List<String> lines = sandbox.lines(from, to);
            sandboxFailure = null;
            return lines;
        } catch (SandboxLog.MismatchException e) {
            sandboxMismatch = true;
            sandboxFailure = e.getMessage();
        } catch (IOException e) {
            sandboxFailure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return null;
    }
}
