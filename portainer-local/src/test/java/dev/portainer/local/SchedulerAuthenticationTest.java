package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portainer.wire.auth.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A master started with framework credentials answers like Mesos's basic HTTP authenticator. */
class SchedulerAuthenticationTest {
    private static final String SUBSCRIBE = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":"
            + "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"auth\",\"principal\":\"%s\"}}}";

    private LocalMesos mesos;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(1024).diskMb(100)
                .frameworkCredentials(Map.of("builder", Secret.of("pass"))).build());
    }

    @AfterEach
    void stop() {
        mesos.close();
    }

    private HttpResponse<String> subscribe(String authorization, String principal) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mesos.masterUri() + "/api/v1/scheduler"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(String.format(SUBSCRIBE, principal)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        // Non-streaming: a refused SUBSCRIBE ends at once; an accepted one is cut by the timeout below.
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutOrWithAWrongCredentialTheAnswerIs401WithTheBasicChallenge() throws Exception {
        for (String authorization : new String[] {null, basic("builder:wrong"), basic("nobody:pass"),
                "Bearer xyz", basic("builder:pass:extra")}) {
            HttpResponse<String> response = subscribe(authorization, "builder");
            assertEquals(401, response.statusCode(), String.valueOf(authorization));
            assertEquals("Basic realm=\"mesos-master-scheduler\"",
                    response.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals("401 Unauthorized.", response.body());
        }
    }

    @Test
    void aFrameworkInfoPrincipalOtherThanTheAuthenticatedOneIsABadRequest() throws Exception {
        HttpResponse<String> response = subscribe(basic("builder:pass"), "someone-else");
        assertEquals(400, response.statusCode());
        assertEquals("Failed to validate scheduler::Call: Authenticated principal 'builder' does not match "
                + "principal 'someone-else' set in `FrameworkInfo`", response.body());
    }

    @Test
    void theReadOnlyEndpointsNeedTheCredentialToo() throws Exception {
        for (String path : new String[] {"/state", "/master/state", "/state.json", "/frameworks", "/master/frameworks",
                "/tasks", "/master/tasks"}) {
            HttpResponse<String> anonymous = get(path, null);
            assertEquals(401, anonymous.statusCode(), path);
            assertEquals("Basic realm=\"mesos-master-readonly\"",
                    anonymous.headers().firstValue("WWW-Authenticate").orElse(null), path);
            assertEquals("text/plain; charset=utf-8", anonymous.headers().firstValue("Content-Type").orElse(null));
            assertEquals("401 Unauthorized.", anonymous.body(), path);
            assertEquals(401, get(path, basic("builder:wrong")).statusCode(), path);
            HttpResponse<String> allowed = get(path, basic("builder:pass"));
            assertEquals(200, allowed.statusCode(), path);
            assertEquals("application/json", allowed.headers().firstValue("Content-Type").orElse(null), path);
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mesos.masterUri() + path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
