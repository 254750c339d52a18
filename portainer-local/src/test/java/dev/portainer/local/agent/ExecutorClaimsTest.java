package dev.portainer.local.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portainer.local.http.Principal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's implicit executor authorization, with the texts of slave/http.cpp's verifyExecutorClaims. */
class ExecutorClaimsTest {
    private final Principal principal = Principal.ofClaims(Map.of("fid", "fw-1", "eid", "ex-1", "cid", "c-1"));
    private static final String PRINCIPAL = "{\"claims\":{\"fid\":\"fw-1\",\"eid\":\"ex-1\",\"cid\":\"c-1\"}}";

    @Test
    void claimsThatNameTheCallsFrameworkExecutorAndContainerPass() {
        assertNull(Agent.verifyExecutorClaims(principal, "fw-1", "ex-1", "c-1"));
    }

    @Test
    void eachClaimThatDoesNotFitIsNamedInItsOrder() {
        assertEquals("Authenticated principal '" + PRINCIPAL + "' does not contain an 'fid' claim with the framework "
                + "ID fw-2, which is set in the call", Agent.verifyExecutorClaims(principal, "fw-2", "ex-2", "c-2"));
        assertEquals("Authenticated principal '" + PRINCIPAL + "' does not contain an 'eid' claim with the executor "
                + "ID ex-2, which is set in the call", Agent.verifyExecutorClaims(principal, "fw-1", "ex-2", "c-2"));
        // A token of an earlier run of the same executor id: its container is gone.
        assertEquals("Authenticated principal '" + PRINCIPAL + "' does not contain a 'cid' claim with the correct "
                + "active ContainerID", Agent.verifyExecutorClaims(principal, "fw-1", "ex-1", "c-2"));
    }

    @Test
    void aPrincipalWithoutClaimsFailsOnTheFrameworkClaim() {
        assertEquals("Authenticated principal 'portainer' does not contain an 'fid' claim with the framework ID fw-1, "
                + "which is set in the call", Agent.verifyExecutorClaims(Principal.of("portainer"), "fw-1", "ex-1", "c-1"));
    }
}
