package dev.portainer.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the daemon holds of an image, for comparing two of them: its config, its history and every file of its
 * filesystem ({@code docker export} of a container created from it, never started).
 *
 * @param config  {@code docker image inspect -f '{{json .Config}}'}
 * @param history each layer's {@code CreatedBy}, newest first; a COPY's names the context's hash
 *                ({@code COPY file:<sha> in /}), the daemon's cache key
 * @param files   by name (bytes, see {@link TarListing.Entry})
 */
record ImageSnapshot(String config, List<String> history, Map<String, TarListing.Entry> files) {
    static ImageSnapshot of(String image) throws IOException, InterruptedException {
        String config = Docker.ok("image", "inspect", "-f", "{{json .Config}}", image).trim();
        List<String> history = Docker.ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).lines()
                .toList();
        // The command is never run: the container only gives export something to read.
        String container = Docker.ok("create", image, "/none").trim();
        try {
            return new ImageSnapshot(config, history, export(container));
        } finally {
            Docker.run("rm", "-f", container);
        }
    }

    private static Map<String, TarListing.Entry> export(String container) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("docker-export", ".err");
        try {
            Process process = new ProcessBuilder("docker", "export", container)
                    .redirectError(errors.toFile()).start();
            List<TarListing.Entry> entries;
            try (InputStream tar = process.getInputStream()) {
                entries = TarListing.read(tar);
                tar.transferTo(OutputStream.nullOutputStream());
            }
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new AssertionError("docker export " + container + " failed: "
                        + Files.readString(errors, StandardCharsets.UTF_8));
            }
            Map<String, TarListing.Entry> files = new LinkedHashMap<>();
            for (TarListing.Entry entry : entries) {
                if (files.put(entry.name(), entry) != null) {
                    throw new AssertionError("docker export " + container + " has " + entry.shownName() + " twice");
                }
            }
            return files;
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
