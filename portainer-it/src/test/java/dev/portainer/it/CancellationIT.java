package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C (SIGINT) or SIGTERM to a Maven running a slow build: Maven stops within seconds, and the executor, the Docker
 * build container, the staged context and the embedded Mesos's sandboxes are all gone.
 */
class CancellationIT {
    /** Seconds from the signal to Maven's exit: kill, teardown, closing the stager and the embedded Mesos. */
    private static final int STOP_WITHIN_SECONDS = 20;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void signalToMavenKillsTheBuildAndLeavesNothingBehind(String signal) throws Exception {
        String marker = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("slow-build");
        // The output line ("<marker> started") differs from the step line that echoes it ("echo "<marker>"
        // "started""): waiting for the latter raced the container's start once the executor got faster.
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "RUN echo \"" + marker + "\" \"started\" && sleep 60\n");
        MavenRun.Running build = MavenRun.start(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker, "-Dportainer.push=false");
        try {
            long pid = build.process().pid();
            if (signal.equals("INT")) {
                // A JVM started with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it.
                assumeFalse(ignores(pid, 2), "this Maven process was started with SIGINT ignored");
            }
            build.awaitOutput(marker + " started", 120);
            List<ProcessHandle> descendants = build.process().descendants().toList();
            Map<Long, Path> sandboxes = sandboxes(descendants);
            assertFalse(sandboxes.isEmpty(), "an executor runs under Maven: " + describe(descendants));
            assertEquals(1, containers(marker).size(), "the RUN step's container runs");

            long signalled = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
            assertTrue(build.process().waitFor(STOP_WITHIN_SECONDS, TimeUnit.SECONDS),
                    "Maven did not stop within " + STOP_WITHIN_SECONDS + " s of SIG" + signal + ": " + build.output());
            long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            System.out.println("SIG" + signal + ": Maven stopped " + stoppedMs + " ms after the signal");

            String output = build.output();
            assertTrue(output.contains("The JVM is stopping: cancelling the build"), output);
            assertTrue(output.contains("Killing ") || output.contains("cancelled"), output);
            for (ProcessHandle p : descendants) {
                assertFalse(p.isAlive(), "still running after Maven stopped: " + p.pid() + " "
                        + p.info().commandLine().orElse("?"));
            }
            for (Path sandbox : sandboxes.values()) {
                assertFalse(Files.exists(sandbox), "the executor's sandbox stays: " + sandbox);
            }
            awaitNoContainer(marker);
            try (Stream<Path> files = Files.list(project.resolve("target/portainer"))) {
                List<String> left = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".tar.gz") || n.endsWith(".tar")).toList();
                assertEquals(List.of(), left, "staged context left in target/portainer");
            }
            ItChecks.assertNoExecutorNorStagedFile(project);
        } finally {
            // A failed assertion above must not leave this build's executor to fail every later IT's checks.
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            Docker.run("rmi", "-f", MavenRun.REGISTRY + "/it/" + marker + ":1.0.0");
        }
    }

    @Test
    void sigtermWhilePackingLeavesNoPartialArchive() throws Exception {
        String marker = "packing-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("slow-build");
        // Incompressible data packs at ~100 MB/s here: seconds to catch it in the act.
        Process dd = new ProcessBuilder("dd", "if=/dev/urandom", "of=" + project.resolve("big.bin"), "bs=1M",
                "count=400", "status=none").inheritIO().start();
        assertEquals(0, dd.waitFor());
        MavenRun.Running build = MavenRun.start(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker, "-Dportainer.push=false");
        try {
            Path work = project.resolve("target/portainer");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (partials(work).isEmpty()) {
                assertTrue(build.process().isAlive() && System.nanoTime() < end,
                        "no partial archive appeared while packing: " + build.output());
                Thread.sleep(20);
            }
            new ProcessBuilder("kill", "-TERM", Long.toString(build.process().pid())).inheritIO().start().waitFor();
            assertTrue(build.process().waitFor(STOP_WITHIN_SECONDS, TimeUnit.SECONDS), build.output());
            assertEquals(List.of(), partials(work), "a partial archive stays after SIGTERM");
            try (Stream<Path> files = Files.list(work)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar.gz")
                        || n.endsWith(".tar")).toList(), "an archive stays after SIGTERM");
            }
        } finally {
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            Files.deleteIfExists(project.resolve("big.bin"));
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

    /** The working directory of each executor JVM among the processes: its sandbox. */
    private static Map<Long, Path> sandboxes(List<ProcessHandle> processes) {
        return processes.stream()
                .filter(p -> p.info().commandLine().orElse("").contains("portainer-executor.jar"))
                .collect(Collectors.toMap(ProcessHandle::pid, p -> {
                    try {
                        return Path.of("/proc/" + p.pid() + "/cwd").toRealPath();
                    } catch (IOException e) {
                        throw new AssertionError("cannot read the working directory of " + p.pid(), e);
                    }
                }));
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.joining("; "));
    }

    private static List<String> containers(String marker) throws IOException, InterruptedException {
        String out = Docker.ok("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}");
        return out.lines().filter(l -> l.contains(marker)).toList();
    }

    /** Docker removes a cancelled build's container shortly after the client went away. */
    private static void awaitNoContainer(String marker) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> left = containers(marker);
        while (!left.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(250);
            left = containers(marker);
        }
        assertEquals(List.of(), left, "the build's container stays");
    }

    /** Whether the process ignores the signal (the SigIgn mask of /proc/pid/status). */
    private static boolean ignores(long pid, int signal) throws IOException {
        String mask = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0").substring(7).trim();
        return (Long.parseUnsignedLong(mask, 16) & (1L << (signal - 1))) != 0;
    }
}
