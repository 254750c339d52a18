package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildResultFilesTest {
    private static final String ID = "sha256:" + "1".repeat(64);
    private static final String FIRST = "sha256:" + "2".repeat(64);
    private static final String SECOND = "sha256:" + "3".repeat(64);

    @TempDir
    Path work;

    @Test
    void writesIdFirstTagsDigestAndEveryTagsDigestInTheJson() throws Exception {
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("1.0", FIRST);
        digests.put("latest", SECOND);
        BuildResult result = new BuildResult(ImageRef.parse("127.0.0.1:5000/team/app"), List.of("1.0", "latest"), ID,
                FIRST, 1234, "agent-1", digests);

        BuildResultFiles.Written written = BuildResultFiles.write(work, result);

        assertEquals(ID + "\n", Files.readString(work.resolve("app.id")));
        assertEquals(FIRST + "\n", Files.readString(written.digest()));
        JsonNode json = new ObjectMapper().readTree(written.json().toFile());
        assertEquals("127.0.0.1:5000/team/app", json.get("image").asText());
        assertEquals(FIRST, json.get("digests").get("1.0").asText());
        assertEquals(SECOND, json.get("digests").get("latest").asText());
        assertEquals(List.of("1.0", "latest"), List.copyOf(iterable(json.get("digests").fieldNames())));
        assertEquals(1234, json.get("sizeBytes").asLong());
    }

    @Test
    void aWrittenResultReadsBackAsItWasForALaterPush() throws Exception {
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("latest", SECOND);
        digests.put("1.0", FIRST);
        BuildResult pushed = new BuildResult(ImageRef.parse("127.0.0.1:5000/team/app"), List.of("1.0", "latest"), ID,
                FIRST, 1234, "agent-1", digests);
        BuildResult unpushed = new BuildResult(ImageRef.parse("other"), List.of("2"), ID, null, -1, "agent-2");
        BuildResultFiles.write(work, pushed);
        BuildResultFiles.write(work, unpushed, "other+stem");

        assertEquals(pushed, BuildResultFiles.read(work, "app"));
        assertEquals(List.of("latest", "1.0"), List.copyOf(BuildResultFiles.read(work, "app").digests().keySet()),
                "push order kept");
        assertEquals(unpushed, BuildResultFiles.read(work, "other+stem"));
        assertNull(BuildResultFiles.read(work, "never-built"), "no file is no build, not an error");
    }

    @Test
    void aResultFileThatIsNotAResultIsAnErrorNamingIt() throws Exception {
        Files.writeString(work.resolve("app.json"), "{\"image\":\"app\"}");

        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> BuildResultFiles.read(work, "app"));

        assertEquals("Cannot read the build result " + work.resolve("app.json") + ": it has no image, tags or imageId",
                e.getMessage());
    }

    @Test
    void anUnpushedBuildRemovesTheDigestFileOfAnEarlierPush() throws Exception {
        ImageRef image = ImageRef.parse("app");
        BuildResultFiles.write(work, new BuildResult(image, List.of("1.0"), ID, FIRST, 1, "a", Map.of("1.0", FIRST)));

        BuildResultFiles.Written written = BuildResultFiles.write(work,
                new BuildResult(image, List.of("1.0"), ID, null, 1, "a"));

        assertNull(written.digest());
        assertFalse(Files.exists(work.resolve("app.digest")));
        assertEquals(0, new ObjectMapper().readTree(written.json().toFile()).get("digests").size());
    }

    @Test
    void clearRemovesEveryResultFileOfThatImageOnly() throws Exception {
        BuildResultFiles.write(work, new BuildResult(ImageRef.parse("app"), List.of("1.0"), ID, FIRST, 1, "a"));
        BuildResultFiles.write(work, new BuildResult(ImageRef.parse("other"), List.of("1.0"), ID, FIRST, 1, "a"));

        BuildResultFiles.clear(work, ImageRef.parse("registry:5000/team/app"));

        for (String suffix : List.of(".id", ".digest", ".json")) {
            assertFalse(Files.exists(work.resolve("app" + suffix)), "app" + suffix);
            assertEquals(true, Files.exists(work.resolve("other" + suffix)), "other" + suffix);
        }
        BuildResultFiles.clear(work.resolve("not-yet-created"), ImageRef.parse("app")); // nothing to clear is fine
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    @Test
    void imagesWhoseNamesEndTheSameGetResultsOfTheirOwn() throws Exception {
        List<ImageRef> images = List.of(ImageRef.parse("127.0.0.1:5000/x/app"), ImageRef.parse("y/app"),
                ImageRef.parse("127.0.0.1:5000/x/worker"));
        Map<String, String> stems = BuildResultFiles.stems(images);
        assertEquals(Map.of("127.0.0.1:5000/x/app", "127.0.0.1+5000+x+app", "y/app", "y+app",
                "127.0.0.1:5000/x/worker", "worker"), stems);
        for (ImageRef image : images) {
            BuildResultFiles.write(work, new BuildResult(image, List.of("1.0"), ID, FIRST, 1, "a"),
                    stems.get(image.name()));
        }
        for (ImageRef image : images) {
            assertEquals(image.name(), new ObjectMapper().readTree(work.resolve(stems.get(image.name()) + ".json")
                    .toFile()).get("image").asText(), "each image's result survives the others'");
        }
        assertFalse(Files.exists(work.resolve("app.json")));
    }
}
