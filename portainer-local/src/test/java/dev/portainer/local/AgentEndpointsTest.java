package dev.portainer.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The agent's /files/read refuses what the Mesos agent refuses, with its texts. (The executor API's refusals need an
 * executor's token to get past authentication: {@link ExecutorAuthenticationTest}.)
 */
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
    void filesReadServesOnlySandboxes() throws Exception {
        assertEquals(404, get("/files/read?offset=0&path=" + URLEncoder.encode("/etc/hostname", StandardCharsets.UTF_8))
                .statusCode());
        assertEquals(404, get("/files/read?offset=0&path=" + URLEncoder.encode(mesos.workDir() + "/slaves/nope",
                StandardCharsets.UTF_8)).statusCode());
        HttpResponse<String> noPath = get("/files/read?offset=0");
        assertEquals(400, noPath.statusCode());
        assertEquals("Expecting 'path=value' in query.\n", noPath.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(mesos.agentUri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
