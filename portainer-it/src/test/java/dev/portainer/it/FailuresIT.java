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
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
     * A context file cut short while it is packed fails the build with the packer's message and leaves nothing. The
     * build already runs then, reading its context as it is packed: on the embedded default in place, on a real master
     * (here an embedded Mesos reached as one, {@code remote}) from the Maven JVM over HTTP as it is written. It is
     * stopped, and Docker never gets a context cut short as if it were whole (a tar cut between two entries reads as
     * a smaller valid one): the file is never renamed, and the HTTP body is aborted, not ended.
     */
    @ParameterizedTest(name = "remote master: {0}")
    @ValueSource(booleans = {false, true})
    void aContextFileCutShortWhileItIsPackedFailsTheBuildAndStopsIt(boolean remote) throws Exception {
        String marker = "cut-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("slow-build");
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "COPY big.bin /\nRUN echo never-built\n");
        // Incompressible data packs as a plain tar at ~150 MB/s here: seconds in which the build is launched and the
        // file cut. For a network it is compressed: base64 text, which deflate takes at ~30 MB/s on the one core the
        // Maven JVM is given, leaves seconds in which the executor starts and reads.
        Path big = project.resolve("big.bin");
        Process dd = new ProcessBuilder("sh", "-c", remote
                ? "head -c 225M /dev/urandom | base64 -w 0 > big.bin" : "head -c 500M /dev/urandom > big.bin")
                .directory(project.toFile()).inheritIO().start();
        assertEquals(0, dd.waitFor());
        LocalMesos mesos = remote ? LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048)
                .executorShutdownGracePeriod(Duration.ofSeconds(2)).build()) : null;
        List<String> args = new ArrayList<>(List.of("package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker, "-Dportainer.push=false"));
        if (remote) {
            args.add("-Dportainer.mesosMaster=" + mesos.masterUri().getHost() + ":" + mesos.masterUri().getPort());
        }
        MavenRun.Running build = MavenRun.start(project, remote ? Map.of("MAVEN_OPTS", "-XX:ActiveProcessorCount=1")
                : Map.of(), args.toArray(String[]::new));
        try {
            // Launched before the pack ends: on the embedded agent, on a real master served over HTTP (not on a
            // cluster staging on a shared file system, which the suite's master may have).
            boolean whilePacked = remote || MavenRun.MESOS_MASTER.equals("local");
            if (whilePacked) {
                build.awaitOutput("Launched ", 120);
            }
            Path work = project.resolve("target/portainer");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (partials(work).isEmpty()) {
                assertFalse(build.output().contains("Packed context"), "packed before it could be cut: "
                        + build.output());
                assertTrue(build.process().isAlive() && System.nanoTime() < end, build.output());
                Thread.sleep(10);
            }
            if (remote) {
                // The executor gets its context from the Maven JVM by then: the cut aborts a download under way.
                MesosApi api = MesosApi.of(mesos.masterUri());
                while (!AgentClassDataIT.executorOutput(api, Footprint.of(build)).contains(" from http://")) {
                    assertFalse(build.output().contains("Packed context"), "packed before it could be cut: "
                            + build.output());
                    assertTrue(build.process().isAlive() && System.nanoTime() < end, build.output());
                    Thread.sleep(20);
                }
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
            if (whilePacked) {
                assertTrue(outcome.output().contains("Stopped: a build context could not be packed"),
                        outcome.output());
            }
            if (remote) {
                MesosApi api = MesosApi.of(mesos.masterUri());
                String executor = AgentClassDataIT.executorOutput(api, outcome);
                assertTrue(executor.matches("(?s).*building \\S+ from http://\\S+/context\\.tar\\.gz.*"),
                        "got from the Maven JVM as it was packed: " + executor);
                ItChecks.assertNothingLeftBehind(outcome, api);
            } else {
                ItChecks.assertNothingLeftBehind(outcome);
            }
        } finally {
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            Files.deleteIfExists(big);
            if (mesos != null) {
                mesos.close();
            }
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
