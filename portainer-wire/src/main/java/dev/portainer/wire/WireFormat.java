package dev.portainer.wire;

import java.io.IOException;
import java.util.Map;
import java.util.function.Function;

/**
 * The versioned contract between scheduler and executor: what goes in {@code TaskInfo.data} ({@link BuildSpec}),
 * in framework messages ({@link LogFrame}) and in the terminal {@code TaskStatus.data} ({@link TaskResult}).
 * All three are JSON objects carrying {@code "v"}; a reader refuses a version it does not know, and ignores fields it
 * does not know. Each record lists its own fields, in its components' order ({@link Json}, not an ObjectMapper).
 */
public final class WireFormat {
    /** Bump when a field's meaning changes; readers refuse other versions with a clear message. */
    public static final int VERSION = 1;

    private WireFormat() {
    }

    static byte[] encode(Map<String, Object> fields) {
        return Json.write(fields);
    }

    static <T> T decode(byte[] bytes, String what, Function<Json.Fields, T> reader) {
        Json.Fields fields;
        try {
            fields = Json.Fields.of(Json.read(bytes), "it");
        } catch (IOException | IllegalArgumentException e) {
            throw new WireFormatException("Cannot read the " + what + ": " + e.getMessage(), e);
        }
        Object v = fields.object().get("v");
        long version = v instanceof Long number ? number : -1;
        if (version != VERSION) {
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
