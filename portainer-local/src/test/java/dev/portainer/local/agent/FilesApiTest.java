package dev.portainer.local.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FilesApiTest {
    @Test
    void writesTheFilesBytesAsTheyAreEscapingOnlyWhatJsonMust() throws Exception {
        byte[] file = "a\"b\\c\td\n\u001b[0m€".getBytes(StandardCharsets.UTF_8);
        byte[] cut = Arrays.copyOf(file, file.length - 1); // ends inside the euro sign, as a 64 KB page may

        byte[] json = FilesApi.json(cut, 42);

        // Read back the way a client that cares about bytes must: one char per byte.
        JsonNode node = new ObjectMapper().readTree(new String(json, StandardCharsets.ISO_8859_1));
        assertArrayEquals(cut, node.get("data").asText().getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(42, node.get("offset").asLong());
        assertEquals("{\"data\":\"a\\\"b\\\\c\\td\\n\\u001B[0m", new String(json, 0, 30, StandardCharsets.US_ASCII));
    }
}
