package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.auth.Secret;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With framework credentials, the agent's read-only endpoints (its state, the sandboxes) answer like a Mesos agent
 * started with {@code --authenticate_http_readonly} (mesos-transcripts/authentication.txt); without, they stay open
 * as on an agent without that flag.
 */
class AgentReadonlyAuthenticationTest {
    private static final List<String> READ_ONLY = List.of("/state", "/slave(1)/state", "/state.json",
            "/files/read?path=/tmp&offset=0", "/files/read.json?path=/tmp&offset=0");
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(LocalMesos mesos, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(mesos.agentUri().resolve(path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withCredentialsEveryReadOnlyEndpointIs401WithoutThemLikeTheTranscript() throws Exception {
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(512).diskMb(10)
                .frameworkCredentials(Map.of("portainer", Secret.of("s3cret"))).build())) {
            for (String path : READ_ONLY) {
                for (String authorization : new String[] {null, basic("portainer:wrong"), basic("nobody:s3cret"),
                        basic("portainer:s3cret:x"), "Bearer x.y.z", "Basic !!!"}) {
                    HttpResponse<String> response = get(mesos, path, authorization);
                    assertEquals(401, response.statusCode(), path + " " + authorization);
                    assertEquals("Basic realm=\"mesos-agent-readonly\"",
                            response.headers().firstValue("WWW-Authenticate").orElse(null), path);
                    assertEquals("text/plain; charset=utf-8",
                            response.headers().firstValue("Content-Type").orElse(null), path);
                    assertEquals("401 Unauthorized.", response.body(), path);
                }
            }
            HttpResponse<String> state = get(mesos, "/state", basic("portainer:s3cret"));
            assertEquals(200, state.statusCode());
            assertTrue(state.body().startsWith("{"), state.body());
            HttpResponse<String> outside = get(mesos, "/files/read?path=/etc/passwd&offset=0", basic("portainer:s3cret"));
            assertEquals(404, outside.statusCode(), "authenticated, but outside any sandbox: as the transcript");
            assertEquals("", outside.body());
        }
    }

    @Test
    void withoutCredentialsTheReadOnlyEndpointsStayOpen() throws Exception {
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(512).diskMb(10).build())) {
            assertEquals(200, get(mesos, "/state", null).statusCode());
            assertEquals(404, get(mesos, "/files/read?path=/etc/passwd&offset=0", null).statusCode());
        }
    }
}
