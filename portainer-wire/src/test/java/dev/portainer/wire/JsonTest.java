package dev.portainer.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    private static Map<String, Object> sample() {
        Map<String, Object> digests = new LinkedHashMap<>();
        digests.put("latest", "sha256:b");
        digests.put("1.0", "sha256:c");
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("image", "r:5000/team/app");
        value.put("tags", List.of("1.0", "latest"));
        value.put("none", null);
        value.put("empty", Map.of());
        value.put("nothing", List.of());
        value.put("digests", digests);
        value.put("sizeBytes", 5_000_000_000L);
        value.put("ratio", 0.5);
        value.put("push", true);
        value.put("text", "quote \" backslash \\ tab \t newline \n é ☃ \u0001");
        return value;
    }

    @Test
    void readsBackWhatItWritesWithFieldOrderAndTypes() throws IOException {
        Object read = Json.read(Json.write(sample()));

        assertEquals(sample(), read);
        assertEquals(List.copyOf(sample().keySet()), List.copyOf(((Map<?, ?>) read).keySet()));
        assertEquals(5_000_000_000L, ((Map<?, ?>) read).get("sizeBytes"));
    }

    @Test
    void writesTheSameJsonAsAnObjectMapper(@TempDir Path dir) throws IOException {
        // The result file's layout stays what scripts parsed when an ObjectMapper wrote it.
        Path file = dir.resolve("result.json");
        Json.writePretty(file, sample());

        assertEquals(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValueAsString(sample()), Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(JsonMapper.builder().build().writeValueAsString(sample()),
                new String(Json.write(sample()), StandardCharsets.UTF_8));
    }

    @Test
    void refusesWhatIsNotOneJsonValue() {
        for (String bad : List.of("", "{", "{\"a\":1} {}", "[1,]", "nul")) {
            assertThrows(IOException.class, () -> Json.read(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    @Test
    void fieldsOfTheWrongTypeAreNamed() throws IOException {
        Json.Fields fields = Json.Fields.of(Json.read("{\"tags\":\"1.0\",\"n\":\"5\",\"b\":1,\"m\":{\"k\":2}}"
                .getBytes(StandardCharsets.UTF_8)), "it");

        assertEquals("'tags' is not a list of strings",
                assertThrows(IllegalArgumentException.class, () -> fields.strings("tags")).getMessage());
        assertEquals("'n' is not an integer",
                assertThrows(IllegalArgumentException.class, () -> fields.number("n", 0)).getMessage());
        assertEquals("'b' is not true or false",
                assertThrows(IllegalArgumentException.class, () -> fields.bool("b")).getMessage());
        assertEquals("'m' is not an object of strings",
                assertThrows(IllegalArgumentException.class, () -> fields.stringMap("m")).getMessage());
        assertEquals("'tags' is not a JSON object",
                assertThrows(IllegalArgumentException.class, () -> fields.fields("tags")).getMessage());
        assertNull(fields.string("absent"));
        assertEquals(7, fields.number("absent", 7));
        assertFalse(fields.bool("absent"));
    }

    @Test
    void aWirePayloadOfTheWrongShapeSaysWhatCouldNotBeRead() {
        WireFormatException notJson = assertThrows(WireFormatException.class,
                () -> LogFrame.fromBytes("not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(notJson.getMessage().startsWith("Cannot read the log message: "), notJson.getMessage());

        WireFormatException wrongType = assertThrows(WireFormatException.class,
                () -> BuildSpec.fromBytes("{\"v\":3,\"image\":\"a\",\"tags\":\"1\",\"dockerfile\":\"D\",\"contextFile\":\"c\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("Cannot read the build task description: 'tags' is not a list of strings",
                wrongType.getMessage());

        WireFormatException noTags = assertThrows(WireFormatException.class,
                () -> BuildSpec.fromBytes("{\"v\":3,\"image\":\"a\",\"tags\":[],\"dockerfile\":\"D\",\"contextFile\":\"c\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("Cannot read the build task description: at least one tag", noTags.getMessage());

        WireFormatException array = assertThrows(WireFormatException.class,
                () -> TaskResult.fromBytes("[1]".getBytes(StandardCharsets.UTF_8)));
        assertEquals("Cannot read the build result: it is not a JSON object", array.getMessage());
    }

    @Test
    void unknownFieldsAreIgnored() {
        LogFrame frame = LogFrame.fromBytes("{\"v\":3,\"seq\":3,\"lines\":[\"x\"],\"future\":{\"a\":[1,2]}}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(LogFrame.of(3, "x"), frame);
    }
}
