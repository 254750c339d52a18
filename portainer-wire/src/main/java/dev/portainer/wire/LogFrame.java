package dev.portainer.wire;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
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

    /**
     * A run of lines as they go into a frame on the wire: JSON strings (UTF-8) joined by commas. An executor that
     * holds many lines waiting to be sent keeps them so, at about a byte a character rather than a String each, and
     * puts runs together into a frame with {@link #toBytes(long, List)} without encoding them again.
     */
    public static byte[] encodeRun(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a run of no lines");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(lines.size() * 16);
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write('"');
            out.writeBytes(encoder.quoteAsUTF8(lines.get(i)));
            out.write('"');
        }
        return out.toByteArray();
    }

    /**
     * {@link #encodeRun} of lines given as their UTF-8 bytes, as the executor printed them: a line that needs no
     * escaping (most do not) is copied as it is.
     */
    public static byte[] encodeUtf8Run(List<byte[]> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a run of no lines");
        }
        int size = 0;
        for (byte[] line : lines) {
            size += line.length + 3;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            if (i > 0) {
                out.write(',');
            }
            out.write('"');
            out.writeBytes(needsEscaping(line) ? encoder.quoteAsUTF8(new String(line, StandardCharsets.UTF_8)) : line);
            out.write('"');
        }
        return out.toByteArray();
    }

    /** Whether JSON needs any of these bytes escaped: a quote, a backslash, a control character. */
    private static boolean needsEscaping(byte[] utf8) {
        for (byte b : utf8) {
            if (b >= 0 && b < 0x20 || b == '"' || b == '\\') {
                return true;
            }
        }
        return false;
    }

    /** The frame of the lines from {@code seq} given as consecutive {@linkplain #encodeRun runs}: what toBytes() gives. */
    public static byte[] toBytes(long seq, List<byte[]> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a log frame carries at least one line");
        }
        byte[] head = ("{\"v\":" + WireFormat.VERSION + ",\"seq\":" + seq + ",\"lines\":[")
                .getBytes(StandardCharsets.US_ASCII);
        int size = head.length + runs.size() + 1;
        for (byte[] run : runs) {
            size += run.length;
        }
        byte[] frame = new byte[size];
        System.arraycopy(head, 0, frame, 0, head.length);
        int at = head.length;
        for (int i = 0; i < runs.size(); i++) {
            if (i > 0) {
                frame[at++] = ',';
            }
            System.arraycopy(runs.get(i), 0, frame, at, runs.get(i).length);
            at += runs.get(i).length;
        }
        frame[at++] = ']';
        frame[at] = '}';
        return frame;
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
