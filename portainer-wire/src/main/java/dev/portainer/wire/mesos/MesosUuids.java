package dev.portainer.wire.mesos;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Status-update uuids as Mesos carries them: a real UUID's 16 bytes (the agent refuses anything else), in the same
 * byte order on both sides so that an acknowledgement names its update.
 */
public final class MesosUuids {
    private MesosUuids() {
    }

    /** The 16 bytes of {@code uuid}, most significant first. */
    public static ByteString bytes(UUID uuid) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array());
    }

    /** The uuid of 16 bytes; the nil UUID for anything else. */
    public static UUID uuid(ByteString bytes) {
        if (bytes.size() != 16) {
            return new UUID(0, 0);
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    /** What Mesos (boost) accepts: 16 bytes whose version nibble names a known UUID version. */
    public static boolean isValid(ByteString bytes) {
        if (bytes.size() != 16) {
            return false;
        }
        int version = (bytes.byteAt(6) >> 4) & 0x0f;
        return version >= 1 && version <= 5;
    }
}
