package dev.portainer.wire.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SealedCredentialsTest {
    private final RegistryCredentials push = new RegistryCredentials("127.0.0.1:5001", "portainer",
            Secret.of("distinctive-password"), "settings.xml server '127.0.0.1:5001'");
    private final RegistryCredentials pull = new RegistryCredentials("reg.example.com", "puller",
            Secret.of("other"), "docker config");

    @Test
    void opensWithItsKeyToTheSameCredentials() {
        SealedCredentials sealed = SealedCredentials.seal(new RegistryAuth(push, Map.of(pull.registry(), pull)),
                new SecureRandom());

        RegistryAuth opened = SealedCredentials.open(sealed.ciphertext(), sealed.key());

        assertEquals(push, opened.push());
        assertEquals(Map.of(pull.registry(), pull), opened.pull());
        assertFalse(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1).contains("distinctive-password"));
        assertFalse(sealed.toString().contains(sealed.key().reveal()));
    }

    @Test
    void refusesAnotherKeyOrAlteredCiphertext() {
        SecureRandom random = new SecureRandom();
        SealedCredentials sealed = SealedCredentials.seal(new RegistryAuth(push, Map.of()), random);
        SealedCredentials other = SealedCredentials.seal(new RegistryAuth(push, Map.of()), random);

        assertThrows(IllegalArgumentException.class, () -> SealedCredentials.open(sealed.ciphertext(), other.key()));
        byte[] altered = sealed.ciphertext().clone();
        altered[altered.length - 1] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> SealedCredentials.open(altered, sealed.key()));
    }
}
