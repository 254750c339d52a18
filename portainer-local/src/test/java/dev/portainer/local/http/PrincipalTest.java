package dev.portainer.local.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** libprocess's stringify(principal), which Mesos puts in its 403 texts. */
class PrincipalTest {
    @Test
    void aValueAloneIsItselfAndClaimsAreJsonInTheRealAgentsOrder() {
        assertEquals("portainer", Principal.of("portainer").toString());
        assertEquals("{\"claims\":{\"fid\":\"f\",\"eid\":\"e\",\"cid\":\"c\",\"a\":\"1\",\"z\":\"q\\\"\\n\"}}",
                Principal.ofClaims(Map.of("z", "q\"\n", "cid", "c", "a", "1", "eid", "e", "fid", "f")).toString());
        assertEquals("{\"value\":\"p\",\"claims\":{\"fid\":\"f\"}}", new Principal("p", Map.of("fid", "f")).toString());
    }
}
