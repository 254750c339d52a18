package dev.portainer.wire.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageNamesTest {
    /** distribution/reference's splitDockerDomain: '.', ':', localhost, or an upper-case letter make a host. */
    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "busybox, -",
            "team/app:1, -",
            "127.0.0.1:5000/team/app, 127.0.0.1:5000",
            "registry.example.com/a/b@sha256:00, registry.example.com",
            "localhost/app, localhost",
            "host:5000/app, host:5000",
            "Mirror/library/busybox, Mirror",
            "/app, -"})
    void registryHostFollowsDockersSplit(String reference, String host) {
        assertEquals(host, ImageNames.registryHost(reference));
        assertEquals(host != null, ImageNames.hasRegistryHost(reference));
    }

    @ParameterizedTest
    @CsvSource({"Mirror, true", "mirror.example.com, false", "mirror:5000, false", "localhost, false"})
    void tellsAHostRecognisedOnlyByItsCase(String host, boolean onlyByCase) {
        assertEquals(onlyByCase, ImageNames.hostOnlyByCase(host));
        assertTrue(ImageNames.hasRegistryHost(host + "/app"));
        assertFalse(ImageNames.hasRegistryHost(host));
    }
}
