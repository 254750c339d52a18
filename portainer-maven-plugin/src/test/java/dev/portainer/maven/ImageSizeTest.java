package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ImageSizeTest {
    /** What `docker images` shows for these sizes. */
    @Test
    void sizesReadAsDockerImagesShowsThem() {
        assertEquals("0B", ImageSize.human(0));
        assertEquals("999B", ImageSize.human(999));
        assertEquals("1kB", ImageSize.human(1000));
        assertEquals("1.24MB", ImageSize.human(1_240_000));
        assertEquals("4.26MB", ImageSize.human(4_259_312));
        assertEquals("1.99MB", ImageSize.human(1_987_654));
        assertEquals("231MB", ImageSize.human(231_123_456));
        assertEquals("1.5GB", ImageSize.human(1_500_000_000L));
    }
}
