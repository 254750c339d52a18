package dev.portainer.wire;

/**
 * The contract of the executor's stdout in the sandbox, from which the scheduler recovers log lines whose frames were
 * lost: every build log line is printed verbatim, in sequence order, as one UTF-8 line before its frame is sent;
 * the executor's own notes are printed as lines starting with {@link #NOTE_PREFIX}. So build log line N is the N-th
 * (from 0) stdout line that does not start with the prefix.
 */
public final class ExecutorStdout {
    /** Starts every line of stdout that is the executor's own note rather than a build log line. */
    public static final String NOTE_PREFIX = "portainer-executor: ";
    /** The sandbox file, relative to the sandbox directory. */
    public static final String FILE = "stdout";

    private ExecutorStdout() {
    }

    /** Whether a stdout line is a build log line (to be counted) rather than the executor's note. */
    public static boolean isBuildLine(String line) {
        return !line.startsWith(NOTE_PREFIX);
    }
}
