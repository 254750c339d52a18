package dev.portainer.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The agent's executor API and /files/read refuse what the Mesos agent refuses, with its texts. */
class AgentEndpointsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalMesos mesos;

    @BeforeEach
    void start() {
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(512).diskMb(10).build());
    }

    @AfterEach
    void stop() {
        mesos.close();
    }

    @Test
    void refusesUpdatesWhoseUuidIsSixteenRandomBytes() throws Exception {
        byte[] random = new byte[16];
        random[6] = (byte) 0xf0; // no UUID version: what random bytes usually look like
        HttpResponse<String> response = update(Base64.getEncoder().encodeToString(random), "application/json");
        assertEquals(400, response.statusCode());
        assertEquals("Failed to validate Executor::Call: Not a valid UUID", response.body());
    }

    @Test
    void refusesCallsOfUnknownFrameworksAndWrongContentTypes() throws Exception {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        UUID uuid = UUID.randomUUID();
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        String valid = Base64.getEncoder().encodeToString(bytes.array());
        HttpResponse<String> unknown = update(valid, "application/json");
        assertEquals(400, unknown.statusCode());
        assertEquals("Framework cannot be found", unknown.body());
        HttpResponse<String> charset = update(valid, "application/json; charset=utf-8");
        assertEquals(415, charset.statusCode());
        assertEquals("Expecting 'Content-Type' of application/json or application/x-protobuf", charset.body());
    }

    @Test
    void filesReadServesOnlySandboxes() throws Exception {
        assertEquals(404, get("/files/read?offset=0&path=" + URLEncoder.encode("/etc/hostname", StandardCharsets.UTF_8))
                .statusCode());
        assertEquals(404, get("/files/read?offset=0&path=" + URLEncoder.encode(mesos.workDir() + "/slaves/nope",
                StandardCharsets.UTF_8)).statusCode());
        HttpResponse<String> noPath = get("/files/read?offset=0");
        assertEquals(400, noPath.statusCode());
        assertEquals("Expecting 'path=value' in query.\n", noPath.body());
    }

    private HttpResponse<String> update(String uuid, String contentType) throws Exception {
        String body = "{\"type\":\"UPDATE\",\"framework_id\":{\"value\":\"f\"},\"executor_id\":{\"value\":\"e\"},"
                + "\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_RUNNING\","
                + "\"source\":\"SOURCE_EXECUTOR\",\"uuid\":\"" + uuid + "\"}}}";
        return http.send(HttpRequest.newBuilder(mesos.agentUri().resolve("/api/v1/executor"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(mesos.agentUri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
