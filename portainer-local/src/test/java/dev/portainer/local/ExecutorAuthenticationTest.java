package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent authenticates executors like {@code mesos-agent --authenticate_http_executors}: every executor API call
 * must carry the token its executor was started with, else 401 with libprocess's JWT challenges; a token that names
 * another executor is 403 with the agent's {@code verifyExecutorClaims} texts. Two executors of one framework run
 * for the whole class; an impostor (the test) knows their ids, as anyone reading /state would.
 */
class ExecutorAuthenticationTest {
    private static final String REALM = "Bearer realm=\"mesos-agent-executor\"";

    private static LocalMesos mesos;
    private static TestScheduler scheduler;
    private static RunningExecutor a;
    private static RunningExecutor b;

    @BeforeAll
    static void twoExecutors() throws Exception {
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1000)
                .executorShutdownGracePeriod(Duration.ofSeconds(1)).build());
        scheduler = new TestScheduler(mesos.masterUri()).subscribe("{\"user\":\"root\",\"name\":\"auth\"}");
        a = RunningExecutor.launch(mesos, scheduler, "exec-a");
        b = RunningExecutor.launch(mesos, scheduler, "exec-b");
    }

    @AfterAll
    static void stop() throws Exception {
        scheduler.close();
        mesos.close();
    }

    private static List<String> callsAsB() {
        return List.of(a.subscribe("exec-b"), a.finished("exec-b", b.taskId()), a.message("exec-b", "forged line"));
    }

    @Test
    void theAgentGaveEachExecutorATokenOfItsOwn() {
        assertTrue(a.token().matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+"), "a JWT: " + a.token().length() + " chars");
        assertTrue(!a.token().equals(b.token()));
    }

    @Test
    void callsWithoutATokenAre401WithTheBareBearerChallenge() throws Exception {
        for (String call : callsAsB()) {
            RunningExecutor.Answer answer = a.post(call, null);
            assertEquals(401, answer.status(), call);
            assertEquals(REALM, answer.challenge());
            assertEquals("text/plain; charset=utf-8", answer.contentType());
            assertEquals("401 Unauthorized.", answer.body());
        }
    }

    @Test
    void malformedOrForgedTokensAre401NamingWhatIsWrongLikeMesos() throws Exception {
        Map<String, String> claims = Map.of("fid", b.frameworkId(), "eid", "exec-b", "cid", b.containerId());
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("Bearer", "Malformed 'Authorization' header");
        cases.put("Bearer  " + b.token(), "Malformed 'Authorization' header");
        cases.put("Basic " + base64("portainer:s3cret"), "Scheme 'Basic' unsupported");
        cases.put("bearer " + b.token(), "Scheme 'bearer' unsupported");
        cases.put("Bearer a.b", "Invalid JWT: Expected 3 components in token, got 2");
        cases.put("Bearer !.b.c", "Invalid JWT: Failed to decode token header: Failed to base64url-decode: "
                + "Invalid character '!'");
        cases.put("Bearer " + unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims),
                "Invalid JWT: Token 'alg' value \"none\" does not match, expected \"HS256\"");
        cases.put("Bearer " + unsigned("{\"alg\":\"HS512\"}", claims), "Invalid JWT: Unsupported token algorithm: HS512");
        cases.put("Bearer " + unsigned("{\"typ\":\"JWT\"}", claims),
                "Invalid JWT: Failed to locate 'alg' in token JSON header");
        cases.put("Bearer " + signed("guessed-key-guessed-key-guessed-key!", claims),
                "Invalid JWT: Token signature does not match");
        String[] parts = b.token().split("\\.");
        cases.put("Bearer " + parts[0] + "." + b64("{\"fid\":\"" + b.frameworkId() + "\",\"eid\":\"exec-b\",\"cid\":\""
                + b.containerId() + "\",\"x\":1}") + "." + parts[2], "Invalid JWT: Token signature does not match");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            for (String call : callsAsB()) {
                RunningExecutor.Answer answer = a.post(call, c.getKey());
                assertEquals(401, answer.status(), c.getKey());
                assertEquals(REALM + ", error=\"invalid_token\", error_description=\"" + c.getValue() + "\"",
                        answer.challenge(), c.getKey());
                assertEquals("401 Unauthorized.", answer.body());
            }
        }
    }

    @Test
    void anotherExecutorsTokenIs403NamingTheClaimThatDoesNotFit() throws Exception {
        String expected = "Authenticated principal '{\"claims\":{\"fid\":\"" + a.frameworkId() + "\",\"eid\":\"exec-a\","
                + "\"cid\":\"" + a.containerId() + "\"}}' does not contain an 'eid' claim with the executor ID exec-b, "
                + "which is set in the call";
        for (String call : callsAsB()) {
            RunningExecutor.Answer answer = a.post(call, "Bearer " + a.token());
            assertEquals(403, answer.status(), call);
            assertEquals(expected, answer.body());
            assertEquals("text/plain; charset=utf-8", answer.contentType());
        }
    }

    @Test
    void aValidTokenStillMeetsTheAgentsOtherChecksInMesossOrder() throws Exception {
        String bearer = "Bearer " + a.token();
        RunningExecutor.Answer unknown = a.post("{\"type\":\"MESSAGE\",\"framework_id\":{\"value\":\"nope\"},"
                + "\"executor_id\":{\"value\":\"exec-a\"},\"message\":{\"data\":\"eA==\"}}", bearer);
        assertEquals(400, unknown.status());
        assertEquals("Framework cannot be found", unknown.body(), "looked up before the claims are checked");
        RunningExecutor.Answer noExecutor = a.post(a.message("exec-z", "x"), bearer);
        assertEquals(400, noExecutor.status());
        assertEquals("Executor cannot be found", noExecutor.body());
        RunningExecutor.Answer charset = a.post(a.message("exec-a", "x"), bearer, "application/json; charset=utf-8");
        assertEquals(415, charset.status());
        assertEquals("Expecting 'Content-Type' of application/json or application/x-protobuf", charset.body());
        byte[] random = new byte[16];
        random[6] = (byte) 0xf0; // no UUID version: what random bytes usually look like
        RunningExecutor.Answer uuid = a.post(a.finished("exec-a", a.taskId()).replaceFirst("\"uuid\":\"[^\"]+\"",
                "\"uuid\":\"" + Base64.getEncoder().encodeToString(random) + "\""), bearer);
        assertEquals(400, uuid.status());
        assertEquals("Failed to validate Executor::Call: Not a valid UUID", uuid.body(), "validated before lookup");
    }

    @Test
    void theExecutorsOwnTokenWorksAndResubscribingWithItStillWorks() throws Exception {
        String bearer = "Bearer " + b.token();
        assertEquals(202, b.post(b.message("exec-b", "a line of its own"), bearer).status());
        // As after a broken connection: the executor subscribes again with the token it was started with.
        RunningExecutor.Answer again = b.post(b.subscribe("exec-b"), bearer);
        assertEquals(200, again.status(), again.body());
        assertTrue(again.body().contains("\"type\":\"SUBSCRIBED\""), again.body());
        assertEquals(202, b.post(b.message("exec-b", "still itself"), bearer).status());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String payload(Map<String, String> claims) {
        StringBuilder json = new StringBuilder("{");
        claims.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        return json.append('}').toString();
    }

    private static String unsigned(String header, Map<String, String> claims) {
        return b64(header) + "." + b64(payload(claims)) + ".";
    }

    /** HS256 with a key of the impostor's choosing: well formed, but not the agent's signature. */
    private static String signed(String key, Map<String, String> claims) throws Exception {
        String input = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(payload(claims));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }
}
