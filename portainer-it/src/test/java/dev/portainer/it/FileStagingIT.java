package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code stagingUri=file:///…}, a directory the agents share with Maven (an NFS mount, say; here the same
 * machine): the build works, its files are gone afterwards, and Ctrl-C during the build leaves nothing staged.
 */
class FileStagingIT {

    @Test
    void buildsStagedOnAFileUriAndRemovesWhatItStaged() throws Exception {
        String image = MavenRun.REGISTRY + "/it/file-staging-" + UUID.randomUUID().toString().substring(0, 8);
        Path staging = stagingDirectory();
        Path project = MavenRun.copyExample("hello-world");
        MavenRun.Outcome build;
        try {
            build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                    "-Dportainer.push=false", "-Dportainer.stagingUri=" + staging.toUri());
            assertTrue(build.succeeded(), build.output());
            assertTrue(Docker.ok("run", "--rm", image + ":latest").contains(
                    "Hello from an image built on Mesos by Portainer!"));
            assertEquals(List.of(), list(staging.resolve("builds")), "the build's staged files are removed");
            assertEquals(1, list(staging.resolve("executors")).size(), "the shared executor jar stays, and no .crc");
            // Hadoop's shutdown hook used to fail after the plugin's class realm was closed.
            assertFalse(build.output().contains("NoClassDefFoundError"), build.output());
            assertFalse(build.output().contains("Exception in thread"), build.output());
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void ctrlCDuringABuildStagedOnAFileUriLeavesNothingStaged() throws Exception {
        String marker = "file-cancel-" + UUID.randomUUID().toString().substring(0, 8);
        Path staging = stagingDirectory();
        Path project = MavenRun.copyProject("slow-build");
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "RUN echo \"" + marker + "\" \"started\" && sleep 60\n");
        MavenRun.Running build = MavenRun.start(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker, "-Dportainer.push=false",
                "-Dportainer.stagingUri=" + staging.toUri());
        try {
            // As in CancellationIT: a JVM started with SIGINT ignored keeps ignoring it.
            assumeFalse(build.ignores(2), "this Maven process was started with SIGINT ignored");
            build.awaitOutput(marker + " started", 120);
            assertEquals(1, list(staging.resolve("builds")).size(), "the build's directory is staged");
            new ProcessBuilder("kill", "-INT", Long.toString(build.process().pid())).inheritIO().start().waitFor();
            assertTrue(build.process().waitFor(30, TimeUnit.SECONDS), build.output());
            assertEquals(List.of(), list(staging.resolve("builds")), "staged files stay after Ctrl-C");
        } finally {
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
        }
    }

    private static Path stagingDirectory() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("portainer.it.work"))
                .resolve("file-staging-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
