package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.context.PackedContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContextPackingTest {
    private static PackedContext packed(int entries) {
        return new PackedContext(Path.of("/tmp/context.tar.gz"), "3f1c".repeat(16), 300, entries, 2048, "Dockerfile",
                ContextFormat.TAR_GZIP, null);
    }

    @Test
    void oneEntryIsCountedInTheSingular() {
        assertEquals("Packed context /app: 1 entry, 2.0 KB (300 B compressed) in 4 ms, sha256 3f1c3f1c3f1c",
                ContextPacking.packed(Path.of("/app"), packed(1), 4));
    }

    @Test
    void otherCountsAreCountedInThePlural() {
        assertEquals("Packed context /app: 0 entries, 2.0 KB (300 B compressed) in 4 ms, sha256 3f1c3f1c3f1c",
                ContextPacking.packed(Path.of("/app"), packed(0), 4));
        assertEquals("Packed context /app: 7 entries, 2.0 KB (300 B compressed) in 4 ms, sha256 3f1c3f1c3f1c",
                ContextPacking.packed(Path.of("/app"), packed(7), 4));
    }

    @Test
    void aPlainTarSaysItIsReadInPlace() {
        PackedContext tar = new PackedContext(Path.of("/tmp/context.tar"), "3f1c".repeat(16), 2048, 2, 2048,
                "Dockerfile", ContextFormat.TAR, null);
        assertEquals("Packed context /app: 2 entries, 2.0 KB as a plain tar (read in place: not compressed) in 4 ms,"
                + " sha256 3f1c3f1c3f1c", ContextPacking.packed(Path.of("/app"), tar, 4));
    }
}
