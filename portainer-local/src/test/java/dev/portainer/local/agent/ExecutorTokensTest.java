package dev.portainer.local.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portainer.local.http.Authentication;
import dev.portainer.local.http.Principal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tokens the agent makes and how it checks them (jwt_secret_generator.cpp, jwt_authenticator.cpp, jwt.cpp). */
class ExecutorTokensTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    private final ExecutorTokens tokens = ExecutorTokens.withRandomKey(new SecureRandom(), CLOCK);

    private static String part(String token, int index) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8);
    }

    private static String challenge(Authentication authentication) {
        return ((Authentication.Unauthorized) authentication).challenge();
    }

    @Test
    void aTokenIsAnHs256JwtOfTheThreeClaimsAndAuthenticatesAsThem() {
        String token = tokens.issue("fw-1", "ex-1", "c-1").reveal();

        assertEquals("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", part(token, 0));
        assertEquals("{\"cid\":\"c-1\",\"eid\":\"ex-1\",\"fid\":\"fw-1\"}", part(token, 1));
        Principal principal = ((Authentication.Authenticated) tokens.authenticate("Bearer " + token)).principal();
        assertEquals(Map.of("fid", "fw-1", "eid", "ex-1", "cid", "c-1"), principal.claims());
        assertNull(principal.value());
    }

    @Test
    void anotherAgentsTokenDoesNotAuthenticate() {
        String foreign = ExecutorTokens.withRandomKey(new SecureRandom(), CLOCK).issue("fw-1", "ex-1", "c-1").reveal();

        assertEquals("Bearer realm=\"mesos-agent-executor\", error=\"invalid_token\", "
                + "error_description=\"Invalid JWT: Token signature does not match\"",
                challenge(tokens.authenticate("Bearer " + foreign)));
    }

    @Test
    void anExpiredOrClaimlessTokenIsRefusedWithMesossTexts() {
        String header = b64("{\"alg\":\"HS256\"}");
        assertEquals("Bearer realm=\"mesos-agent-executor\", error=\"invalid_token\", error_description=\"Invalid JWT: "
                + "Token has expired: exp(1700000000) < now(1800000000)\"",
                challenge(tokens.authenticate("Bearer " + header + "." + b64("{\"exp\":1700000000}") + ".")));
        assertEquals("Bearer realm=\"mesos-agent-executor\", error=\"invalid_token\", error_description=\"Invalid JWT: "
                + "JSON payload 'exp' field is not a number\"",
                challenge(tokens.authenticate("Bearer " + header + "." + b64("{\"exp\":\"soon\"}") + ".")));
        assertEquals("Bearer realm=\"mesos-agent-executor\", error=\"invalid_token\", error_description=\"Invalid JWT: "
                + "Token 'crit' field is unsupported\"", challenge(tokens.authenticate("Bearer "
                + b64("{\"alg\":\"HS256\",\"crit\":[\"x\"]}") + "." + b64("{}") + ".")));
        assertEquals("Bearer realm=\"mesos-agent-executor\", error=\"invalid_token\", error_description=\"Invalid JWT: "
                + "Failed to base64url-decode token signature: Invalid character '+'\"",
                challenge(tokens.authenticate("Bearer " + header + "." + b64("{}") + ".a+b")));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
