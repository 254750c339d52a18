package dev.portainer.core.wire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run of consecutive build output lines, sent by the executor as one framework MESSAGE. Messages are best effort,
 * so every line has a sequence number (from 0, no gaps) and the scheduler can tell when some went missing: a frame
 * carries the number of its first line, the others follow it one by one.
 *
 * @param v     wire version
 * @param seq   sequence number of the first line within the task
 * @param lines the text of each line, without line terminator; never empty
 */
public record LogFrame(int v, long seq, List<String> lines) {
    public LogFrame {
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a log frame carries at least one line");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number " + seq);
        }
    }

    public static LogFrame of(long seq, List<String> lines) {
        return new LogFrame(WireFormat.VERSION, seq, lines);
    }

    /** A frame of one line. */
    public static LogFrame of(long seq, String line) {
        return of(seq, List.of(line));
    }

    /** The sequence number after this frame's last line. */
    public long end() {
        return seq + lines.size();
    }

    public byte[] toBytes() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", v);
        json.put("seq", seq);
        json.put("lines", lines);
        return WireFormat.encode(json);
    }

    public static LogFrame fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, "log message", json -> {
            List<String> lines = json.strings("lines");
            if (lines == null) {
                throw new IllegalArgumentException("'lines' is missing");
            }
            return new LogFrame((int) json.number("v", -1), json.number("seq", 0), lines);
        });
    }
}
