package dev.portainer.core.auth;

import dev.portainer.wire.image.Registries;
import dev.portainer.wire.auth.RegistryCredentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvironmentCredentialsTest {
    @Test
    void theThreeVariablesGiveOneRegistrysCredentials() throws Exception {
        EnvironmentCredentials env = EnvironmentCredentials.of(Map.of("PORTAINER_REGISTRY", "127.0.0.1:5001",
                "PORTAINER_REGISTRY_USERNAME", "portainer", "PORTAINER_REGISTRY_PASSWORD", "it-secret"));

        RegistryCredentials found = env.find("127.0.0.1:5001").orElseThrow();
        assertEquals("portainer", found.username());
        assertEquals("it-secret", found.password().reveal());
        assertEquals("environment variables PORTAINER_REGISTRY_USERNAME and PORTAINER_REGISTRY_PASSWORD",
                found.source());
        assertEquals(Optional.empty(), env.find("127.0.0.1:5000"), "only for the registry named");
    }

    @Test
    void theRegistryIsNamedAsConfigKeysNameIt() throws Exception {
        assertEquals("registry.example.com:5000", EnvironmentCredentials.of(Map.of("PORTAINER_REGISTRY",
                "https://registry.example.com:5000/v2/", "PORTAINER_REGISTRY_USERNAME", "u",
                "PORTAINER_REGISTRY_PASSWORD", "p")).registry());
        EnvironmentCredentials hub = EnvironmentCredentials.of(Map.of("PORTAINER_REGISTRY", "index.docker.io",
                "PORTAINER_REGISTRY_USERNAME", "u", "PORTAINER_REGISTRY_PASSWORD", "p"));
        assertTrue(hub.find(Registries.DOCKER_HUB).isPresent());
    }

    /** A fork's CI build gets empty secrets: that is no credentials, not a failure. */
    @Test
    void noPasswordMeansNoCredentials() throws Exception {
        assertNull(EnvironmentCredentials.of(Map.of()).registry());
        EnvironmentCredentials empty = EnvironmentCredentials.of(Map.of("PORTAINER_REGISTRY", "127.0.0.1:5001",
                "PORTAINER_REGISTRY_USERNAME", "portainer", "PORTAINER_REGISTRY_PASSWORD", ""));
        assertEquals(Optional.empty(), empty.find("127.0.0.1:5001"));
    }

    @Test
    void aPasswordWithoutItsRegistryOrUserIsRefusedWithoutShowingIt() {
        CredentialsException noRegistry = assertThrows(CredentialsException.class, () -> EnvironmentCredentials.of(
                Map.of("PORTAINER_REGISTRY_USERNAME", "portainer", "PORTAINER_REGISTRY_PASSWORD", "it-secret")));
        assertTrue(noRegistry.getMessage().startsWith("PORTAINER_REGISTRY_PASSWORD is set but PORTAINER_REGISTRY is "
                + "not: set PORTAINER_REGISTRY to the registry the password is for"), noRegistry.getMessage());
        CredentialsException noUser = assertThrows(CredentialsException.class, () -> EnvironmentCredentials.of(
                Map.of("PORTAINER_REGISTRY", "127.0.0.1:5001", "PORTAINER_REGISTRY_PASSWORD", "it-secret")));
        assertEquals("PORTAINER_REGISTRY_PASSWORD is set but PORTAINER_REGISTRY_USERNAME is not: set it to the user "
                + "name for 127.0.0.1:5001", noUser.getMessage());
        CredentialsException two = assertThrows(CredentialsException.class, () -> EnvironmentCredentials.of(
                Map.of("PORTAINER_REGISTRY", "a.example.com, b.example.com", "PORTAINER_REGISTRY_USERNAME", "u",
                        "PORTAINER_REGISTRY_PASSWORD", "it-secret")));
        assertTrue(two.getMessage().contains("for several registries use DOCKER_AUTH_CONFIG"), two.getMessage());
        for (CredentialsException e : new CredentialsException[] {noRegistry, noUser, two}) {
            assertFalse(e.getMessage().contains("it-secret"), e.getMessage());
        }
    }

    @Test
    void processesStartedForTheBuildGetTheEnvironmentWithoutThePasswords() {
        Map<String, String> rest = EnvironmentCredentials.withoutSecrets(Map.of("PATH", "/usr/bin",
                "PORTAINER_REGISTRY", "127.0.0.1:5001", "PORTAINER_REGISTRY_PASSWORD", "it-secret",
                "DOCKER_AUTH_CONFIG", "{\"auths\":{}}"));

        assertEquals(Map.of("PATH", "/usr/bin", "PORTAINER_REGISTRY", "127.0.0.1:5001"), rest);
    }
}
