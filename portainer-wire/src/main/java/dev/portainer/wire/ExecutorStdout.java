package dev.portainer.wire;

/**
 * The contract of the executor's stdout in the sandbox, from which the scheduler recovers log lines whose frames were
 * lost: every build log line is printed verbatim, in sequence order, as one UTF-8 line before its frame is sent;
 * the executor's own notes are printed as lines starting with {@link #NOTE_PREFIX}. So build log line N is the N-th
 * (from 0) stdout line that does not start with the prefix.
 *
 * <p>A {@linkplain LogFrame.Kind#PROGRESS progress line} ends with a carriage return, just before its newline
 * ({@code "Pushing 2 layers: 45% (12.3/27.1 MB)\r\n"}): unseen in a terminal, in {@code less} and in Mesos's file
 * viewer, so the file reads as before, yet a line read back keeps its kind. No other build line ends with one: the
 * executor drops a build line's trailing carriage returns (as invisible as the mark), so the mark is never a line's
 * own text.
 *
 * <p>An executor that runs several tasks ({@link ExecutorContract#SEVERAL_TASKS_ENV}) keeps this contract once per
 * task, in {@link #taskFile} (where Mesos's own default executor keeps each task's stdout), and prints only its notes
 * on its own stdout.
 */
public final class ExecutorStdout {
    /** Starts every line of stdout that is the executor's own note rather than a build log line. */
    public static final String NOTE_PREFIX = "portainer-executor: ";
    /** The sandbox file, relative to the sandbox directory. */
    public static final String FILE = "stdout";
    /** Ends a progress line on stdout, before its newline. */
    public static final char PROGRESS_MARK = '\r';

    /** The directory, relative to the executor's sandbox, of each task's files when the executor runs several. */
    public static final String TASKS_DIRECTORY = "tasks";

    private ExecutorStdout() {
    }

    /**
     * The build log of task {@code taskId} of an executor that runs several tasks, relative to its sandbox:
     * {@code tasks/<task id>/stdout}.
     *
     * @throws IllegalArgumentException for a task id that cannot be one directory's name
     */
    public static String taskFile(String taskId) {
        if (taskId.isEmpty() || taskId.equals(".") || taskId.equals("..") || taskId.indexOf('/') >= 0
                || taskId.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("task id '" + taskId + "' cannot name a directory of the sandbox");
        }
        return TASKS_DIRECTORY + "/" + taskId + "/" + FILE;
    }

    /** Whether a stdout line is a build log line (to be counted) rather than the executor's note. */
    public static boolean isBuildLine(String line) {
        return !line.startsWith(NOTE_PREFIX);
    }

    /** A build line as stdout holds it (without the newline): its text, and the mark if it is a progress line. */
    public static String stdoutLine(String text, LogFrame.Kind kind) {
        return kind == LogFrame.Kind.PROGRESS ? text + PROGRESS_MARK : text;
    }

    /** The kind of a build line read from stdout (without its newline). */
    public static LogFrame.Kind kindOf(String stdoutLine) {
        return !stdoutLine.isEmpty() && stdoutLine.charAt(stdoutLine.length() - 1) == PROGRESS_MARK
                ? LogFrame.Kind.PROGRESS : LogFrame.Kind.OUTPUT;
    }

    /** The text of a build line read from stdout (without its newline): without the mark. */
    public static String textOf(String stdoutLine) {
        return kindOf(stdoutLine) == LogFrame.Kind.PROGRESS ? stdoutLine.substring(0, stdoutLine.length() - 1)
                : stdoutLine;
    }
}
