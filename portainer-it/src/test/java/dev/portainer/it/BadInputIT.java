package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Input the build cannot use: BUILD FAILURE, a message that says what to fix, nothing left behind. */
class BadInputIT {
    private static String image() {
        return MavenRun.REGISTRY + "/it/bad-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static MavenRun.Outcome failing(Path project, String... properties) throws Exception {
        String[] args = new String[properties.length + 2];
        args[0] = "package";
        args[1] = "portainer:build";
        System.arraycopy(properties, 0, args, 2, properties.length);
        MavenRun.Outcome build = MavenRun.run(project, args);
        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("BUILD FAILURE"), build.output());
        return build;
    }

    @Test
    void missingDockerfileSaysWhereItWasLookedFor() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image(),
                "-Dportainer.contextDirectory=ctx", "-Dportainer.dockerfile=docker/Dockerfile");
        assertTrue(build.output().contains("The Dockerfile docker/Dockerfile does not exist in the build context "
                + project.resolve("ctx").toRealPath() + " nor in the project directory " + project.toRealPath()),
                build.output());
        assertTrue(build.output().contains("set <dockerfile> to its path, relative to the context or to the project"
                + " directory"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void unknownInstructionSurfacesDockersError() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image(),
                "-Dportainer.contextDirectory=ctx", "-Dportainer.dockerfile=Dockerfile.unknown");
        assertTrue(build.output().contains("unknown instruction: FROOM"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void copyOfAFileExcludedByDockerignoreSurfacesDockersError() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image(),
                "-Dportainer.contextDirectory=ctx", "-Dportainer.dockerfile=Dockerfile.ignored");
        assertTrue(build.output().contains("excluded by .dockerignore") && build.output().contains("secret.txt"),
                build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void unreachableRegistryIsNamed() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        String image = "127.0.0.1:5999/it/unreachable-" + UUID.randomUUID().toString().substring(0, 8);
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image, "-Dportainer.contextDirectory=ctx");
        assertTrue(build.output().contains("127.0.0.1:5999"), build.output());
        assertTrue(build.output().contains("reachable"), build.output());
        Docker.run("rmi", "-f", image + ":1.0.0");
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void buildArgWithoutValueIsRefusedBeforeAnythingRuns() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image(), "-Dportainer.contextDirectory=ctx",
                "-Dportainer.buildArgs=A=1,TOKEN");
        assertTrue(build.output().contains("Build arg 'TOKEN' has no value: write it as TOKEN=value"),
                build.output());
        assertTrue(!build.output().contains("Packed context"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void tagsThatNameNoTagAreRefused() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image(), "-Dportainer.contextDirectory=ctx",
                "-Dportainer.tags=,");
        assertTrue(build.output().contains("portainer.tags names no tag"), build.output());
        assertTrue(!build.output().contains("NullPointerException"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void infiniteMemoryIsRefused() throws Exception {
        Path project = MavenRun.copyProject("bad-input");
        MavenRun.Outcome build = failing(project, "-Dportainer.image=" + image(), "-Dportainer.contextDirectory=ctx",
                "-Dportainer.buildMem=Infinity");
        assertTrue(build.output().contains("buildMem must be a number of MB, at least 32 (got Infinity); fix"
                + " <buildMem> (portainer.buildMem)"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }
}
