package dev.portainer.core.scheduler;

import dev.portainer.core.mesos.AgentFiles;
import dev.portainer.wire.ExecutorStdout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads build log lines back from the executor's stdout in its sandbox, for frames lost in transit (see
 * {@link ExecutorStdout}: line N of the log is the N-th stdout line that is not the executor's note). Reads forward
 * from where the last recovery stopped, so a whole build's gaps cost one pass over the file. Every received line is
 * checked against the file on the way: if they differ, the file is not laid out as the contract says (another
 * executor version, a line printed by something else) and nothing is recovered rather than the wrong lines. Not
 * thread-safe: used by the build's event loop only.
 */
final class SandboxLog {
    /** Reads a chunk of the stdout file; {@link AgentFiles#read} in production. */
    @FunctionalInterface
    interface Reader {
        AgentFiles.Chunk read(long offset, int length) throws IOException, InterruptedException;
    }

    /** The file does not match the lines received, so it cannot stand in for the lost ones. */
    static final class MismatchException extends Exception {
        MismatchException(String message) {
            super(message);
        }
    }

    /** How many of the last lines received are checked against the file (a power of two). */
    static final int CHECKED = 1 << 16;

    private final Reader reader;
    private final String where;
    /**
     * Hashes of the last {@link #CHECKED} lines delivered from frames, by sequence number modulo their count, to check
     * the file against: a bounded size whatever the length of the log (a million lines must not grow the Maven heap),
     * and the lines a read passes over are those received since the last one, the most recent.
     */
    private int[] hashes = new int[256];
    /** The sequence number + 1 of the line each slot of {@link #hashes} holds; 0 for none. */
    private long[] hashed = new long[256];
    /** Byte offset in the file where build line {@link #nextLine} (or a note before it) starts. */
    private long offset;
    private long nextLine;

    /** @param where the file, for messages (e.g. the agent and path) */
    SandboxLog(Reader reader, String where) {
        this.reader = reader;
        this.where = where;
    }

    /** Remembers a line shown from a received frame, to check the file against it. */
    void delivered(long seq, String line) {
        if (seq < 0) {
            return;
        }
        while (seq >= hashes.length && hashes.length < CHECKED) {
            grow();
        }
        int slot = (int) (seq & (hashes.length - 1));
        hashes[slot] = line.hashCode();
        hashed[slot] = seq + 1; // 0: nothing in this slot yet
    }

    /**
     * Build log lines {@code [from, to)}.
     *
     * @throws IOException       the agent could not be read, or the file ends before line {@code to - 1}
     * @throws MismatchException the file's lines differ from the lines received
     */
    List<String> lines(long from, long to) throws IOException, InterruptedException, MismatchException {
        if (from < nextLine) {
            offset = 0; // an earlier line than where we stopped: start over
            nextLine = 0;
        }
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        while (nextLine < to) {
            AgentFiles.Chunk chunk = reader.read(offset + partial.size(), AgentFiles.MAX_READ);
            byte[] data = chunk.data();
            if (data.length == 0) {
                throw new IOException(where + " holds " + nextLine + " build log lines, not the " + to + " needed");
            }
            int start = 0;
            for (int i = 0; i < data.length && nextLine < to; i++) {
                if (data[i] != '\n') {
                    continue;
                }
                partial.write(data, start, i - start);
                byte[] raw = partial.toByteArray();
                partial.reset();
                start = i + 1;
                offset += raw.length + 1;
                String line = new String(raw, StandardCharsets.UTF_8);
                if (!ExecutorStdout.isBuildLine(line)) {
                    continue;
                }
                check(nextLine, line);
                if (nextLine >= from) {
                    out.add(line);
                }
                nextLine++;
            }
            if (nextLine < to) {
                partial.write(data, start, data.length - start);
            }
        }
        return out;
    }

    /** Doubles the slots (a short log never needs the whole window), keeping what they hold. */
    private void grow() {
        int[] oldHashes = hashes;
        long[] oldHashed = hashed;
        hashes = new int[oldHashes.length * 2];
        hashed = new long[oldHashed.length * 2];
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldHashed[i] != 0) {
                int slot = (int) ((oldHashed[i] - 1) & (hashes.length - 1));
                hashes[slot] = oldHashes[i];
                hashed[slot] = oldHashed[i];
            }
        }
    }

    private void check(long seq, String line) throws MismatchException {
        int slot = (int) (seq & (hashes.length - 1));
        if (hashed[slot] == seq + 1 && hashes[slot] != line.hashCode()) {
            throw new MismatchException("line " + seq + " of " + where + " is not the line received (\"" + line
                    + "\"), so the file cannot stand in for lost lines");
        }
    }
}
