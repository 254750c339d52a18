package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a user sees when the build cannot succeed: BUILD FAILURE, the reason in their words, nothing left. */
class FailuresIT {

    @Test
    void failingRunStepFailsTheMavenBuildWithDockersError() throws Exception {
        String image = MavenRun.REGISTRY + "/it/failing-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("failing-run");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image);

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("BUILD FAILURE"), build.output());
        // The log streamed up to the failure, and Docker's own error line is in the Maven output.
        assertTrue(build.output().contains("before-the-failure"), build.output());
        assertTrue(build.output().contains("returned a non-zero code: 3"), build.output());
        assertFalse(build.output().contains("never-reached"), build.output());
        assertFalse(Files.exists(project.resolve("target/portainer/" + image.substring(image.lastIndexOf('/') + 1)
                + ".digest")), "no digest for a failed build");
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void missingDockerfileIsReportedBeforeAnythingIsStaged() throws Exception {
        Path project = MavenRun.copyProject("no-dockerfile");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/no-dockerfile");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("BUILD FAILURE"), build.output());
        assertTrue(build.output().contains("No Dockerfile in the build context " + project.toRealPath()
                + " (neither Dockerfile nor dockerfile): create one, or set <dockerfile> to its path"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void invalidImageNameNamesTheParameterToFix() throws Exception {
        Path project = MavenRun.copyProject("failing-run");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=Not/Valid");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("Invalid image name 'Not/Valid'")
                && build.output().contains("portainer.image"), build.output());
    }
}
