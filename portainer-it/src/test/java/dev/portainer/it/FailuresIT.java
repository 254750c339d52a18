package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

    /**
     * A context file cut short while it is packed fails the build with the packer's message and leaves nothing. On the
     * embedded default the build already runs then, reading its context as it is packed: it is stopped, and Docker
     * never gets a context cut short as if it were whole (a tar cut between two entries reads as a smaller valid one).
     */
    @Test
    void aContextFileCutShortWhileItIsPackedFailsTheBuildAndStopsIt() throws Exception {
        String marker = "cut-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("slow-build");
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "COPY big.bin /\nRUN echo never-built\n");
        // Incompressible data packs at ~150 MB/s here: seconds in which the build is launched and the file cut.
        Path big = project.resolve("big.bin");
        Process dd = new ProcessBuilder("dd", "if=/dev/urandom", "of=" + big, "bs=1M", "count=500", "status=none")
                .inheritIO().start();
        assertEquals(0, dd.waitFor());
        MavenRun.Running build = MavenRun.start(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker, "-Dportainer.push=false");
        try {
            boolean local = MavenRun.MESOS_MASTER.equals("local");
            if (local) {
                build.awaitOutput("Launched ", 120); // on a cluster, nothing is launched before the pack ends
            }
            Path work = project.resolve("target/portainer");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (partials(work).isEmpty()) {
                assertFalse(build.output().contains("Packed context"), "packed before it could be cut: "
                        + build.output());
                assertTrue(build.process().isAlive() && System.nanoTime() < end, build.output());
                Thread.sleep(10);
            }
            try (FileChannel file = FileChannel.open(big, StandardOpenOption.WRITE)) {
                file.truncate(0);
            }
            assertTrue(build.process().waitFor(60, TimeUnit.SECONDS), build.output());
            MavenRun.Outcome outcome = build.outcome();

            assertNotEquals(0, outcome.exitCode(), outcome.output());
            assertTrue(outcome.output().contains("BUILD FAILURE"), outcome.output());
            assertTrue(outcome.output().contains("File " + big.toRealPath() + " shrank while the build context was"
                    + " being packed: run the build again once nothing writes to it"), outcome.output());
            assertFalse(outcome.output().contains("never-built"), outcome.output());
            assertFalse(outcome.output().contains("Successfully built"), outcome.output());
            if (local) {
                assertTrue(outcome.output().contains("Stopped: a build context could not be packed"),
                        outcome.output());
            }
            ItChecks.assertNothingLeftBehind(outcome);
        } finally {
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            Files.deleteIfExists(big);
        }
    }

    private static List<Path> partials(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
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
