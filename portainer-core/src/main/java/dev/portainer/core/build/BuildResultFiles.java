package dev.portainer.core.build;

import dev.portainer.core.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a build's outcome under the work directory for later plugins and scripts: .id, .digest and .json. A new
 * build first {@linkplain #clear clears} the previous one's files, so that a failed build never leaves an old digest
 * that looks current.
 */
public final class BuildResultFiles {
    private static final String[] SUFFIXES = {".id", ".digest", ".json"};

    /** The files written. */
    public record Written(Path id, Path digest, Path json) {
    }

    private BuildResultFiles() {
    }

    /** Removes the result files a previous build of {@code image} left in {@code workDirectory}. */
    public static void clear(Path workDirectory, ImageRef image) {
        for (String suffix : SUFFIXES) {
            Path file = workDirectory.resolve(image.fileStem() + suffix);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove the previous build's result " + file
                        + "; remove it by hand, a later step could take it for this build's", e);
            }
        }
    }

    public static Written write(Path workDirectory, BuildResult result) {
        String stem = result.image().fileStem();
        try {
            Files.createDirectories(workDirectory);
            Path id = Files.writeString(workDirectory.resolve(stem + ".id"), result.imageId() + "\n",
                    StandardCharsets.UTF_8);
            Path digest = workDirectory.resolve(stem + ".digest");
            if (result.digest() != null) {
                Files.writeString(digest, result.digest() + "\n", StandardCharsets.UTF_8);
            } else {
                Files.deleteIfExists(digest);
                digest = null;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("image", result.image().name());
            json.put("tags", result.tags());
            json.put("imageId", result.imageId());
            json.put("digest", result.digest());
            json.put("digests", result.digests());
            json.put("sizeBytes", result.sizeBytes());
            json.put("agent", result.agent());
            Path jsonFile = workDirectory.resolve(stem + ".json");
            Json.writePretty(jsonFile, json);
            return new Written(id, digest, jsonFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the build result under " + workDirectory, e);
        }
    }
}
