package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portainer.core.dockerfile.PreparedDockerfile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DockerfileFilterHintTest {
    /** Docker 20.10's words for a Maven reference in COPY. */
    private static final String DOCKER = "failed to process \"target/${project.build.finalName}.jar\": missing ':' "
            + "in substitution";

    private static PreparedDockerfile dockerfile(boolean filtered) {
        byte[] text = "FROM busybox\nCOPY target/${project.build.finalName}.jar /app.jar\n"
                .getBytes(StandardCharsets.UTF_8);
        return PreparedDockerfile.of("Dockerfile", text, null, Map.of(), filtered ? name -> Optional.empty() : null);
    }

    @Test
    void dockersBareErrorOnAProjectValueNamesTheParameter() {
        assertEquals("${project.build.finalName} is Maven's, not Docker's: to have the plugin fill in Maven's ${…} "
                + "in the Dockerfile, set <filterDockerfile> (portainer.filterDockerfile) to true",
                DockerfileFilterHint.forError(DOCKER, dockerfile(false), name -> Optional.empty()));
    }

    @Test
    void aPropertyMavenKnowsCountsToo() {
        String error = "failed to process \"${app.jar}\": missing ':' in substitution";
        assertEquals(null, DockerfileFilterHint.forError(error, dockerfile(false), name -> Optional.empty()));
        String hint = DockerfileFilterHint.forError(error, dockerfile(false),
                name -> name.equals("app.jar") ? Optional.of("app.jar") : Optional.empty());
        assertEquals(true, hint.startsWith("${app.jar} is Maven's"), hint);
    }

    @Test
    void noHintWhenFilteringWasOnOrTheErrorIsAnotherOne() {
        assertNull(DockerfileFilterHint.forError(DOCKER, dockerfile(true), name -> Optional.empty()));
        assertNull(DockerfileFilterHint.forError("The command '/bin/sh -c false' returned a non-zero code: 1",
                dockerfile(false), name -> Optional.empty()));
        assertNull(DockerfileFilterHint.forError(null, dockerfile(false), name -> Optional.empty()));
    }
}
