package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.portainer.wire.auth.Secret;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C (SIGINT) or SIGTERM to a Maven running a slow build: Maven stops within seconds, and the build is killed and
 * leaves nothing behind. On {@code local}: this run's executor, its sandbox and its Docker build container are gone.
 * On a Mesos whose API the test reads (the suite's cluster, or one started here): the master shows the task KILLED
 * and the framework torn down, no agent runs its executor, and the build container is gone. Everything is found by
 * what names this build (its run's environment variable, its log's framework, task and container ids), never by
 * looking at every executor or container: other builds may run on this machine meanwhile.
 */
class CancellationIT {
    /** Seconds from the signal to Maven's exit: kill, teardown, closing the stager and the embedded Mesos. */
    private static final int STOP_WITHIN_SECONDS = 20;
    /** Docker removes a cancelled build's container shortly after the client went away. */
    private static final int CONTAINER_GONE_WITHIN_SECONDS = 15;
    /** The settings.xml server of the framework credential of the test on an embedded Mesos of its own. */
    private static final String SERVER_ID = "mesos-cancel";

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void signalToMavenKillsTheBuildAndLeavesNothingBehind(String signal) throws Exception {
        cancel(signal, MesosApi.ofSuite(), List.of());
    }

    /**
     * The same against an embedded Mesos that this test starts and whose master and agent require a credential, as a
     * secured cluster does: the checks a cluster gets, through the Mesos HTTP API, run on every machine.
     */
    @Test
    void onAMesosWhoseApiTheTestReadsTheTaskIsKilledAndTheFrameworkTornDown() throws Exception {
        String secret = "cancel-" + UUID.randomUUID();
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048)
                .executorShutdownGracePeriod(Duration.ofSeconds(2))
                .frameworkCredentials(Map.of("builder", Secret.of(secret))).build())) {
            Path settings = Files.createDirectories(Path.of(System.getProperty("portainer.it.work")))
                    .resolve("cancel-settings-" + UUID.randomUUID().toString().substring(0, 8) + ".xml");
            Files.writeString(settings, "<settings><servers><server><id>" + SERVER_ID + "</id><username>builder"
                    + "</username><password>" + secret + "</password></server></servers></settings>");
            URI master = mesos.masterUri();
            cancel("TERM", Optional.of(MesosApi.of(master, new MesosApi.Credential("builder", secret))),
                    List.of("-s", settings.toString(), "-Dportainer.mesosMaster=" + master.getHost() + ":"
                            + master.getPort(), "-Dportainer.mesosServerId=" + SERVER_ID));
        }
    }

    /**
     * Starts the slow build on {@code mesos} (empty: the suite's local one), waits for its RUN step, sends the signal
     * and checks that the build was killed and left nothing.
     */
    private static void cancel(String signal, Optional<MesosApi> mesos, List<String> extraArgs) throws Exception {
        String marker = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("slow-build");
        // The output line ("<marker> started") differs from the step line that echoes it ("echo "<marker>"
        // "started""): waiting for the latter raced the container's start once the executor got faster.
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "RUN echo \"" + marker + "\" \"started\" && sleep 60\n");
        List<String> args = new ArrayList<>(extraArgs);
        args.addAll(List.of("package", "portainer:build", "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker,
                "-Dportainer.push=false"));
        MavenRun.Running build = MavenRun.start(project, args.toArray(String[]::new));
        List<ProcessHandle> processes = List.of();
        try {
            long pid = build.process().pid();
            if (signal.equals("INT")) {
                // A JVM started with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it.
                assumeFalse(build.ignores(2), "this Maven process was started with SIGINT ignored");
            }
            build.awaitOutput(marker + " started", 120);
            Footprint running = Footprint.of(build);
            processes = running.processes();
            // Found by the id Docker announced in this build's log, not by listing the daemon's containers.
            assertEquals(1, running.containers().size(), "the RUN step's container runs: " + running);
            List<String> sandboxes = new ArrayList<>();
            if (mesos.isEmpty()) {
                List<ProcessHandle> executors = processes.stream()
                        .filter(p -> p.info().commandLine().orElse("").contains("portainer-executor.jar")).toList();
                assertFalse(executors.isEmpty(), "this build's executor runs on its embedded agent: "
                        + describe(processes));
                List<Path> workDirs = running.localMesosWorkDirs();
                for (ProcessHandle executor : executors) {
                    String sandbox = ProcFs.cwd(executor).orElseThrow();
                    assertTrue(workDirs.stream().anyMatch(w -> sandbox.startsWith(w + "/")),
                            "the executor works in its embedded Mesos's work directory " + workDirs + ": " + sandbox);
                    sandboxes.add(sandbox);
                }
            } else {
                // What the checks below expect to change, seen before the signal: they can fail.
                MesosApi api = mesos.get();
                assertEquals(MesosApi.FrameworkState.ACTIVE, api.framework(running.frameworkId()));
                assertEquals(Map.of(running.taskId(), "TASK_RUNNING"), api.tasks(running.frameworkId()));
                assertEquals(1, api.liveExecutors(running.frameworkId()).size(), "an agent runs the executor");
            }

            long signalled = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
            assertTrue(build.process().waitFor(STOP_WITHIN_SECONDS, TimeUnit.SECONDS),
                    "Maven did not stop within " + STOP_WITHIN_SECONDS + " s of SIG" + signal + ": " + build.output());
            long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            System.out.println("SIG" + signal + ": Maven stopped " + stoppedMs + " ms after the signal");

            String output = build.output();
            assertTrue(output.contains("The JVM is stopping: cancelling the build"), output);
            assertTrue(output.contains("Killing ") || output.contains("cancelled"), output);
            for (ProcessHandle p : processes) {
                assertFalse(p.isAlive(), "still running after Maven stopped: " + ProcFs.describe(p));
            }
            for (String sandbox : sandboxes) {
                assertFalse(Files.exists(Path.of(sandbox)), "the executor's sandbox stays: " + sandbox);
            }
            MavenRun.Outcome outcome = build.outcome();
            Footprint footprint = Footprint.of(outcome);
            if (mesos.isPresent()) {
                MesosApi api = mesos.get();
                assertEquals(Map.of(footprint.taskId(), "TASK_KILLED"), api.tasks(footprint.frameworkId()),
                        "the master's account of the task");
                assertEquals(MesosApi.FrameworkState.COMPLETED, api.framework(footprint.frameworkId()),
                        "the framework is torn down");
            }
            ItChecks.awaitNoContainer(footprint, CONTAINER_GONE_WITHIN_SECONDS);
            try (Stream<Path> files = Files.list(project.resolve("target/portainer"))) {
                List<String> left = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".tar.gz") || n.endsWith(".tar")).toList();
                assertEquals(List.of(), left, "staged context left in target/portainer");
            }
            if (mesos.isPresent()) {
                ItChecks.assertNothingLeftBehind(outcome, mesos.get());
            } else {
                ItChecks.assertNothingLeftBehind(outcome);
            }
        } finally {
            // A failed assertion above must not leave this build's executor to fail later tests.
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            processes.forEach(ProcessHandle::destroyForcibly);
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

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(ProcFs::describe).collect(Collectors.joining("; "));
    }
}
