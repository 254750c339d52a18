package dev.portainer.wire;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of build output, sent by the executor as a framework MESSAGE. Messages are best effort, so every frame
 * carries its sequence number (from 0, no gaps) and the scheduler can tell when one went missing.
 *
 * @param v    wire version
 * @param seq  sequence number of this line within the task
 * @param line the text, without line terminator
 */
public record LogFrame(int v, long seq, String line) {
    public LogFrame {
        Objects.requireNonNull(line, "line");
    }

    public static LogFrame of(long seq, String line) {
        return new LogFrame(WireFormat.VERSION, seq, line);
    }

    public byte[] toBytes() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", v);
        json.put("seq", seq);
        json.put("line", line);
        return WireFormat.encode(json);
    }

    public static LogFrame fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, "log message", json -> new LogFrame((int) json.number("v", -1),
                json.number("seq", 0), json.string("line")));
    }
}
