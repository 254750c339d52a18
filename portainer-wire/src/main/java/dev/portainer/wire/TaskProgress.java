package dev.portainer.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a running build got, sent in the {@code data} of a TASK_RUNNING status update: the reliable channel, which
 * reaches the scheduler even when the executor dies right after.
 *
 * @param v       wire version
 * @param pushing the build is about to push: the executor starts pushing only once the agent acknowledged this
 *                update, so a scheduler that never heard it knows that nothing was pushed, and one that did must not
 *                run the build again (a second build may push other image contents under the same tags)
 */
public record TaskProgress(int v, boolean pushing) {
    /** The update the executor sends before its first push. */
    public static TaskProgress pushingNow() {
        return new TaskProgress(WireFormat.VERSION, true);
    }

    public byte[] toBytes() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", v);
        json.put("pushing", pushing);
        return WireFormat.encode(json);
    }

    public static TaskProgress fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, "build progress", json -> new TaskProgress((int) json.number("v", -1),
                json.bool("pushing")));
    }
}
