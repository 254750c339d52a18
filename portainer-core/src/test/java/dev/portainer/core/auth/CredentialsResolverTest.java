package dev.portainer.core.auth;

import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.RegistryCredentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialsResolverTest {
    private static CredentialSource only(String registry, String source) {
        return r -> r.equals(registry)
                ? Optional.of(new RegistryCredentials(r, "u", Secret.of("p-" + source), source))
                : Optional.empty();
    }

    @Test
    void firstSourceWithCredentialsWinsAndLaterSourcesAreNotAsked() throws Exception {
        List<String> asked = new ArrayList<>();
        CredentialSource second = r -> {
            asked.add(r);
            return only("127.0.0.1:5002", "docker").find(r);
        };
        CredentialsResolver resolver = new CredentialsResolver(List.of(only("127.0.0.1:5001", "settings"), second));

        RegistryAuth auth = resolver.resolve("127.0.0.1:5001", List.of("127.0.0.1:5002", "docker.io"));

        assertEquals("settings", auth.push().source());
        assertEquals("docker", auth.pull().get("127.0.0.1:5002").source());
        assertEquals(java.util.Set.of("127.0.0.1:5002"), auth.pull().keySet(), "no source has docker.io");
        assertEquals(List.of("127.0.0.1:5002", "docker.io"), asked, "the push registry was answered by settings");
    }

    @Test
    void nothingPushedMeansNoPushCredentials() throws Exception {
        RegistryAuth auth = new CredentialsResolver(List.of(only("127.0.0.1:5001", "settings")))
                .resolve(null, List.of());
        assertNull(auth.push());
        assertEquals(RegistryAuth.NONE, auth);
    }

    @Test
    void secretsNeverShowInToString() {
        RegistryCredentials c = new RegistryCredentials("r", "u", Secret.of("hunter2"), "s");
        assertEquals("****", Secret.of("hunter2").toString());
        assertEquals(-1, c.toString().indexOf("hunter2"));
        assertEquals(-1, new RegistryAuth(c, Map.of("r", c)).toString().indexOf("hunter2"));
    }
}
