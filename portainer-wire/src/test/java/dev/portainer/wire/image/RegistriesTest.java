package dev.portainer.wire.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegistriesTest {
    @Test
    void registryOfAReferenceFollowsDockersRule() {
        assertEquals("127.0.0.1:5001", Registries.of("127.0.0.1:5001/team/app:1"));
        assertEquals("localhost", Registries.of("localhost/app"));
        assertEquals("docker.io", Registries.of("team/app"));
        assertEquals("docker.io", Registries.of("busybox@sha256:abc"));
        assertEquals("docker.io", Registries.of("index.docker.io/library/busybox"));
        // upper case makes the first part a host, as ImageNames and ImageRef see it too
        assertEquals("Mirror", Registries.of("Mirror/library/busybox"));
    }

    @Test
    void normalizesConfigKeysLikeConvertToHostname() {
        assertEquals("127.0.0.1:5001", Registries.normalize("http://127.0.0.1:5001/v2/"));
        assertEquals("docker.io", Registries.normalize("https://index.docker.io/v1/"));
        assertEquals("reg.example.com", Registries.normalize("reg.example.com"));
    }

    @Test
    void registriesOfSeveralReferencesAreListedOnceInOrder() {
        assertEquals(List.of("127.0.0.1:5001", "docker.io", "reg.example.com:443"), Registries.of(List.of(
                "127.0.0.1:5001/portainer/busybox:latest", "busybox", "reg.example.com:443/base@sha256:0123",
                "library/debian", "127.0.0.1:5001/other")));
    }
}
