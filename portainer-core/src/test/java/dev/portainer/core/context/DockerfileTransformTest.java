package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileTransformTest {
    @TempDir
    Path dir;

    private static Map<String, String> entries(Path archive) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (InputStream in = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    @Test
    void theArchiveCarriesTheTransformedDockerfileAndTheFileOnDiskStays() throws Exception {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nREPOSITORY x\n");
        Files.writeString(context.resolve("app.txt"), "app\n");
        DockerfileTransform upper = (path, bytes) -> new String(bytes, StandardCharsets.UTF_8).replace("REPOSITORY x",
                "# stripped").getBytes(StandardCharsets.UTF_8);

        PackedContext first = new ContextPacker().pack(context, "Dockerfile", dir.resolve("a.tar.gz"), List.of(),
                upper);
        PackedContext second = new ContextPacker().pack(context, "Dockerfile", dir.resolve("b.tar.gz"), List.of(),
                upper);
        PackedContext plain = new ContextPacker().pack(context, "Dockerfile", dir.resolve("c.tar.gz"));

        assertEquals("FROM busybox\n# stripped\n", entries(first.archive()).get("Dockerfile"));
        assertEquals("app\n", entries(first.archive()).get("app.txt"));
        assertEquals("FROM busybox\nREPOSITORY x\n", Files.readString(context.resolve("Dockerfile")));
        assertEquals(first.sha256(), second.sha256(), "reproducible");
        assertNotEquals(first.sha256(), plain.sha256());
        assertEquals(plain.sha256(), new ContextPacker().pack(context, "Dockerfile", dir.resolve("d.tar.gz"),
                List.of(), (path, bytes) -> bytes.clone()).sha256(), "an identity transform changes nothing");
    }
}
