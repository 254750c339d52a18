package dev.portainer.wire;

import java.io.IOException;
import java.util.Map;
import java.util.function.Function;

/**
 * The versioned contract between scheduler and executor: what goes in {@code TaskInfo.data} ({@link BuildSpec}),
 * in framework messages ({@link LogFrame}), in a running task's status updates ({@link TaskProgress}) and in the
 * terminal {@code TaskStatus.data} ({@link TaskResult}). All are JSON objects carrying {@code "v"}; a reader refuses a
 * version it does not know, and ignores fields it does not know. Each record lists its own fields, in its components'
 * order ({@link Json}, not an ObjectMapper).
 *
 * <p>Versions: 1, one log line per frame; 2, a frame carries a run of lines (the sequence number of its first), and
 * the executor says in a running update that it is about to push; 3, a task may push an image built earlier instead of
 * building ({@link BuildSpec#action()}, {@link BuildSpec#imageId()}: an executor of version 2 would ignore both and
 * build from a context that is not there). Version 3 frames may also say which of their lines are progress
 * ({@link LogFrame.Kind}): an optional field that a reader without it ignores, so no new version. An executor refuses
 * a task of another version, so
 * a scheduler only ever hears frames of its own; it still reads a {@link TaskResult} of version 1, whose fields did not
 * change, so that an older executor's refusal reaches the user as it was written.
 */
public final class WireFormat {
    /** Bump when a field's meaning changes; readers refuse other versions with a clear message. */
    public static final int VERSION = 3;

    private WireFormat() {
    }

    static byte[] encode(Map<String, Object> fields) {
        return Json.write(fields);
    }

    static <T> T decode(byte[] bytes, String what, Function<Json.Fields, T> reader) {
        return decode(bytes, what, VERSION, reader);
    }

    /** Like {@link #decode(byte[], String, Function)}, also accepting versions from {@code oldest} on. */
    static <T> T decode(byte[] bytes, String what, int oldest, Function<Json.Fields, T> reader) {
        Json.Fields fields;
        try {
            fields = Json.Fields.of(Json.read(bytes), "it");
        } catch (IOException | IllegalArgumentException e) {
            throw new WireFormatException("Cannot read the " + what + ": " + e.getMessage(), e);
        }
        Object v = fields.object().get("v");
        long version = v instanceof Long number ? number : -1;
        if (version < oldest || version > VERSION) {
            throw new WireFormatException("The " + what + " has wire version " + version + " but this Portainer speaks "
                    + VERSION + ": use the same Portainer version for the Maven plugin and the executor", null);
        }
        try {
            return reader.apply(fields);
        } catch (RuntimeException e) {
            throw new WireFormatException("Cannot read the " + what + ": " + e.getMessage(), e);
        }
    }
}
