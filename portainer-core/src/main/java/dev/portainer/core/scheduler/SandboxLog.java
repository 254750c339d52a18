package dev.portainer.core.scheduler;

import dev.portainer.core.mesos.AgentFiles;
import dev.portainer.wire.ExecutorStdout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
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

    private final Reader reader;
    private final String where;
    /** Hashes of the lines delivered from frames, by sequence number, to check the file against. */
    private int[] hashes = new int[256];
    private final BitSet known = new BitSet();
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
        if (seq < 0 || seq >= Integer.MAX_VALUE) {
            return;
        }
        int index = (int) seq;
        if (index >= hashes.length) {
            hashes = Arrays.copyOf(hashes, Math.max(index + 1, hashes.length * 2));
        }
        hashes[index] = line.hashCode();
        known.set(index);
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

    private void check(long seq, String line) throws MismatchException {
        if (seq < Integer.MAX_VALUE && known.get((int) seq) && hashes[(int) seq] != line.hashCode()) {
            throw new MismatchException("line " + seq + " of " + where + " is not the line received (\"" + line
                    + "\"), so the file cannot stand in for lost lines");
        }
    }
}
