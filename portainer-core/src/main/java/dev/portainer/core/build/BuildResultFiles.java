package dev.portainer.core.build;

import dev.portainer.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * The file name (without suffix) of each image's results: the repository's last path component
     * ({@code registry:5000/team/app} → {@code app}); when two images of one build share it ({@code x/app},
     * {@code y/app}), each of those uses its whole name with {@code /} and {@code :} as {@code +}
     * ({@code registry+5000+x+app}), so that no result overwrites another.
     *
     * @return image name → stem, for every image given
     */
    public static Map<String, String> stems(List<ImageRef> images) {
        Map<String, Integer> uses = new java.util.HashMap<>();
        images.forEach(image -> uses.merge(image.fileStem(), 1, Integer::sum));
        Map<String, String> stems = new LinkedHashMap<>();
        for (ImageRef image : images) {
            stems.put(image.name(), uses.get(image.fileStem()) == 1 ? image.fileStem()
                    : image.name().replace('/', '+').replace(':', '+'));
        }
        return stems;
    }

    /**
     * Removes the result files previous builds of these images left, before anything of this run can fail: an old
     * digest next to a failed build would look like this build's.
     */
    public static void clearAll(Path workDirectory, List<ImageRef> images) {
        Map<String, String> stems = stems(images);
        for (ImageRef image : images) {
            clear(workDirectory, stems.get(image.name()));
            // a single build named its results by the short stem before: a stale one would look current
            clear(workDirectory, image);
        }
    }

    /** Removes the result files a previous build of {@code image} left in {@code workDirectory}. */
    public static void clear(Path workDirectory, ImageRef image) {
        clear(workDirectory, image.fileStem());
    }

    /** Removes the result files named {@code stem} (see {@link #stems}) a previous build left. */
    public static void clear(Path workDirectory, String stem) {
        for (String suffix : SUFFIXES) {
            Path file = workDirectory.resolve(stem + suffix);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove the previous build's result " + file
                        + "; remove it by hand, a later step could take it for this build's", e);
            }
        }
    }

    /** The JSON result file named {@code stem} (see {@link #stems}) in {@code workDirectory}. */
    public static Path jsonFile(Path workDirectory, String stem) {
        return workDirectory.resolve(stem + ".json");
    }

    /**
     * Reads back the result a build wrote under {@code stem}, for a later push.
     *
     * @return the result, or null when there is no such file (no build of that image in this work directory)
     * @throws IOException the file cannot be read or is not a result (its message names the file)
     */
    public static BuildResult read(Path workDirectory, String stem) throws IOException {
        Path file = jsonFile(workDirectory, stem);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Json.Fields json = Json.Fields.of(Json.read(Files.readAllBytes(file)), "it");
            String image = json.string("image");
            List<String> tags = json.strings("tags");
            if (image == null || tags == null || tags.isEmpty() || json.string("imageId") == null) {
                throw new IllegalArgumentException("it has no image, tags or imageId");
            }
            return new BuildResult(ImageRef.parse(image), tags, json.string("imageId"), json.string("digest"),
                    json.number("sizeBytes", -1), json.string("agent"), json.stringMap("digests"));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("Cannot read the build result " + file + ": " + e.getMessage(), e);
        }
    }

    public static Written write(Path workDirectory, BuildResult result) {
        return write(workDirectory, result, result.image().fileStem());
    }

    /** Writes the results under {@code stem} (see {@link #stems}). */
    public static Written write(Path workDirectory, BuildResult result, String stem) {
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
