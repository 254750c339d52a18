package dev.portainer.core.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The versioned contract between scheduler and executor: what goes in {@code TaskInfo.data} ({@link BuildSpec}),
 * in framework messages ({@link LogFrame}) and in the terminal {@code TaskStatus.data} ({@link TaskResult}).
 * All three are JSON objects carrying {@code "v"}; a reader refuses a version it does not know.
 */
public final class WireFormat {
    /** Bump when a field's meaning changes; readers refuse other versions with a clear message. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private WireFormat() {
    }

    static byte[] encode(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T decode(byte[] bytes, Class<T> type, String what) {
        int version;
        T value;
        try {
            version = MAPPER.readTree(bytes).path("v").asInt(-1);
            value = MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new WireFormatException("Cannot read the " + what + ": " + e.getMessage(), e);
        }
        if (version != VERSION) {
            throw new WireFormatException("The " + what + " has wire version " + version + " but this Portainer speaks "
                    + VERSION + ": use the same Portainer version for the Maven plugin and the executor", null);
        }
        return value;
    }
}
