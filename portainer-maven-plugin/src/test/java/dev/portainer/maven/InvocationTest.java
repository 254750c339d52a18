package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InvocationTest {

    @Test
    void skipsModulesWithoutDockerfileOnlyInAMultiModuleReactor() {
        assertTrue(new Invocation(true, 3, false).skipsWithoutDockerfile());
        assertFalse(new Invocation(true, 1, false).skipsWithoutDockerfile(), "a single project asked for an image");
        assertFalse(new Invocation(false, 1, false).skipsWithoutDockerfile(), "a pom-less run asked for an image");
    }
}
