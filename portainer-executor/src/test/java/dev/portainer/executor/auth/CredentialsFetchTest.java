package dev.portainer.executor.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.auth.SealedCredentials;
import dev.portainer.wire.auth.Secret;
import dev.portainer.core.staging.HttpStager;
import dev.portainer.wire.CredentialsRef;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFetchTest {
    private final RegistryCredentials push = new RegistryCredentials("127.0.0.1:5001", "portainer",
            Secret.of("pw-1"), "settings.xml server '127.0.0.1:5001'");
    private final SealedCredentials sealed = SealedCredentials.seal(new RegistryAuth(push, Map.of()),
            new SecureRandom());

    @Test
    void fetchesTheOneTimeUrlOnceAndSaysWhyASecondFetchFails(@TempDir Path sandbox) throws Exception {
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            String url = stager.stageSecret(sealed.ciphertext(), "credentials.sealed").uri().toString();
            CredentialsRef ref = new CredentialsRef(url, null, sealed.key().reveal());

            assertEquals(push, CredentialsFetch.standard().open(ref, sandbox).push());
            try (var files = Files.list(sandbox)) {
                assertEquals(0, files.count(), "nothing written to the sandbox");
            }
            IllegalStateException again = assertThrows(IllegalStateException.class,
                    () -> CredentialsFetch.standard().open(ref, sandbox));
            assertTrue(again.getMessage().contains("were fetched already (HTTP 410; they are served once)")
                    && again.getMessage().contains("treat the registry password as exposed"), again.getMessage());
        }
    }

    @Test
    void readsTheFetchedFileAndDeletesIt(@TempDir Path sandbox) throws Exception {
        Path file = Files.write(sandbox.resolve("credentials.sealed"), sealed.ciphertext());

        RegistryAuth auth = CredentialsFetch.standard().open(new CredentialsRef(null, "credentials.sealed",
                sealed.key().reveal()), sandbox);

        assertEquals(push, auth.push());
        assertFalse(Files.exists(file), "the ciphertext is deleted as soon as it is read");
    }

    @Test
    void wrongKeyFailsWithoutRevealingAnything(@TempDir Path sandbox) throws Exception {
        Files.write(sandbox.resolve("credentials.sealed"), sealed.ciphertext());
        String otherKey = SealedCredentials.seal(RegistryAuth.NONE, new SecureRandom()).key().reveal();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CredentialsFetch.standard()
                .open(new CredentialsRef(null, "credentials.sealed", otherKey), sandbox));
        assertTrue(e.getMessage().startsWith("Cannot open the registry credentials"), e.getMessage());
    }
}
