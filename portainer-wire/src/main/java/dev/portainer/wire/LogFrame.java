package dev.portainer.wire;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run of consecutive build output lines, sent by the executor as one framework MESSAGE. Messages are best effort,
 * so every line has a sequence number (from 0, no gaps) and the scheduler can tell when some went missing: a frame
 * carries the number of its first line, the others follow it one by one.
 *
 * <p>Each line has a {@link Kind}. On the wire, the optional field {@code "progress"} lists the offsets in the frame
 * ({@code 0} for the line numbered {@code seq}) of the lines that are {@link Kind#PROGRESS}; it is left out when
 * there are none, so that such a frame is what an executor that knew no kinds sent, and a reader that knows none
 * ignores it and shows every line as output. In the sandbox's stdout the kind is marked too: see
 * {@link ExecutorStdout}.
 *
 * @param v     wire version
 * @param seq   sequence number of the first line within the task
 * @param lines the text of each line, without line terminator; never empty
 * @param kinds the kind of each line, in the same order
 * @param taskId the task whose log this is, when the executor runs several tasks (each numbers its lines from 0);
 *               null (absent on the wire) for an executor of one task, whose frames are all that task's
 */
public record LogFrame(int v, long seq, List<String> lines, List<Kind> kinds, String taskId) {
    /** What a line is, for whoever shows it. */
    public enum Kind {
        /** A line of the build's output, to be shown as it is. */
        OUTPUT,
        /**
         * A line that reports how far a transfer got (a push, the pull of a base image), which the next progress line
         * supersedes: a front end on an interactive terminal may draw them over each other, others show each.
         */
        PROGRESS
    }

    public LogFrame {
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a log frame carries at least one line");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number " + seq);
        }
        kinds = kinds == null ? Collections.nCopies(lines.size(), Kind.OUTPUT) : List.copyOf(kinds);
        if (kinds.size() != lines.size()) {
            throw new IllegalArgumentException(kinds.size() + " kinds for " + lines.size() + " lines");
        }
    }

    /** A frame of an executor of one task. */
    public LogFrame(int v, long seq, List<String> lines, List<Kind> kinds) {
        this(v, seq, lines, kinds, null);
    }

    /** A frame whose lines are all {@link Kind#OUTPUT}. */
    public LogFrame(int v, long seq, List<String> lines) {
        this(v, seq, lines, null);
    }

    public static LogFrame of(long seq, List<String> lines) {
        return new LogFrame(WireFormat.VERSION, seq, lines);
    }

    /** A frame of lines of the given kinds, one for each line. */
    public static LogFrame of(long seq, List<String> lines, List<Kind> kinds) {
        return new LogFrame(WireFormat.VERSION, seq, lines, kinds);
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
        List<Integer> progress = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) == Kind.PROGRESS) {
                progress.add(i);
            }
        }
        if (!progress.isEmpty()) {
            json.put("progress", progress);
        }
        if (taskId != null) {
            json.put("taskId", taskId);
        }
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
        return toBytes(seq, runs, List.of());
    }

    /**
     * Like {@link #toBytes(long, List)}, for lines of which those at the given offsets (ascending, from 0 for the line
     * numbered {@code seq}) are {@link Kind#PROGRESS}.
     */
    public static byte[] toBytes(long seq, List<byte[]> runs, List<Integer> progress) {
        return toBytes(null, seq, runs, progress);
    }

    /** Like {@link #toBytes(long, List, List)}, for the task {@code taskId} of an executor that runs several (null: one). */
    public static byte[] toBytes(String taskId, long seq, List<byte[]> runs, List<Integer> progress) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a log frame carries at least one line");
        }
        byte[] head = ("{\"v\":" + WireFormat.VERSION + ",\"seq\":" + seq + ",\"lines\":[")
                .getBytes(StandardCharsets.US_ASCII);
        StringBuilder tail = new StringBuilder("]");
        if (!progress.isEmpty()) {
            tail.append(",\"progress\":[");
            for (int i = 0; i < progress.size(); i++) {
                tail.append(i > 0 ? "," : "").append(progress.get(i));
            }
            tail.append(']');
        }
        if (taskId != null) {
            tail.append(",\"taskId\":\"");
            tail.append(new String(JsonStringEncoder.getInstance().quoteAsString(taskId)));
            tail.append('"');
        }
        tail.append('}');
        byte[] end = tail.toString().getBytes(StandardCharsets.UTF_8);
        int size = head.length + runs.size() - 1 + end.length;
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
        System.arraycopy(end, 0, frame, at, end.length);
        return frame;
    }

    public static LogFrame fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, "log message", json -> {
            List<String> lines = json.strings("lines");
            if (lines == null) {
                throw new IllegalArgumentException("'lines' is missing");
            }
            List<Long> progress = json.numbers("progress");
            List<Kind> kinds = null;
            if (progress != null && !progress.isEmpty()) {
                Kind[] each = new Kind[lines.size()];
                Arrays.fill(each, Kind.OUTPUT);
                for (long offset : progress) {
                    if (offset < 0 || offset >= each.length) {
                        throw new IllegalArgumentException("'progress' names line " + offset + " of a frame of "
                                + each.length);
                    }
                    each[(int) offset] = Kind.PROGRESS;
                }
                kinds = Arrays.asList(each);
            }
            return new LogFrame((int) json.number("v", -1), json.number("seq", 0), lines, kinds,
                    json.string("taskId"));
        });
    }
}
