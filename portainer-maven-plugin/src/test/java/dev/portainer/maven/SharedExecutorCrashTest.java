package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.ImageBuild;
import dev.portainer.core.build.ImageRef;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.build.RunSettings;
import dev.portainer.core.scheduler.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on the embedded Mesos with the real executor jar: two builds share one executor, which is killed with
 * SIGKILL while both run. The agent fails both tasks (the executor is gone), and each is built again on one new
 * executor: the user gets both images and a warning per retry, and no process of the dead executor is left.
 */
@Timeout(180)
class SharedExecutorCrashTest {
    private static final Pattern EXECUTOR = Pattern.compile(" in executor (portainer-executor-[0-9a-f-]+)");
    @TempDir
    Path project;
    private final String image = "127.0.0.1:5000/portainer-test/crash-" + UUID.randomUUID().toString().substring(0, 8);
    private final EngineTests.RecordedEvents events = new EngineTests.RecordedEvents();
    private final List<String> infos = events.infos;
    private final List<String> warnings = events.warnings;
    private final List<String> log = events.log;
    /** What went wrong in the killer's thread, for the test's own thread to report. */
    private volatile Throwable killerFailed;

    @AfterEach
    void removeImages() throws Exception {
        EngineTests.docker("rmi", "-f", image + "-a:1.0", image + "-b:1.0");
    }

    @Test
    void bothBuildsOfAKilledSharedExecutorAreBuiltAgainOnOneNewExecutor() throws Exception {
        assumeTrue(EngineTests.dockerRuns(), "needs a Docker daemon");
        List<ImageSpec> requests = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            Path context = Files.createDirectories(project.resolve("context-" + name));
            // Long enough to be killed in: the executor dies while both builds sleep.
            Files.writeString(context.resolve("Dockerfile"), "FROM portainer/busybox:latest\n"
                    + "RUN echo " + name + "-started && sleep 4 && echo " + name + "-done\n");
            requests.add(ImageSpec.builder(context, ImageRef.parse(image + "-" + name), List.of("1.0"))
                    .resources(0.5, 256).build());
        }
        Thread killer = new Thread(this::killTheExecutorOnceBothRun, "executor-killer");
        killer.setDaemon(true);
        killer.start();

        Path work = project.resolve("target/portainer");
        RunSettings settings = EngineTests.settings(work);
        List<BuildResult> results = new ArrayList<>();
        for (Outcome<ImageSpec, BuildResult> outcome : ImageBuild.run(new BuildPlan(settings, requests),
                events, LocalMesosLauncher.INSTANCE)) {
            results.add(outcome.orThrow());
        }
        killer.join(1000);
        if (killerFailed != null) {
            throw new AssertionError("the executor was not killed as planned", killerFailed);
        }

        assertEquals(2, results.size());
        assertTrue(results.stream().allMatch(r -> r.imageId().startsWith("sha256:")), results.toString());
        List<String> executors = infos.stream().filter(i -> i.startsWith("Launched ")).map(i -> {
            Matcher m = EXECUTOR.matcher(i);
            assertTrue(m.find(), i);
            return m.group(1);
        }).toList();
        assertEquals(4, executors.size(), "two launches, two relaunches: " + infos);
        assertEquals(executors.get(0), executors.get(1), "the first two share one executor: " + executors);
        assertEquals(executors.get(2), executors.get(3), "the relaunches share the new one: " + executors);
        assertNotEquals(executors.get(0), executors.get(2), executors.toString());
        assertEquals(2, warnings.stream().filter(w -> w.contains("retrying (attempt 2 of 3)")).count(),
                warnings.toString());
        assertTrue(log.contains("a-done") && log.contains("b-done"), log.toString());
        assertEquals(List.of(), executorProcesses(), "nothing of the executors is left");
    }

    /** Kills the executor (a process of this JVM's embedded agent) once both builds have printed their first line. */
    private void killTheExecutorOnceBothRun() {
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(log.contains("a-started") && log.contains("b-started")) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            List<ProcessHandle> executors = executorProcesses();
            assertEquals(1, executors.size(), "one executor runs both builds: " + executors);
            executors.get(0).destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            killerFailed = e;
        }
    }

    /** The executor JVMs this test's embedded agent started: its own descendants, never another build's. */
    private static List<ProcessHandle> executorProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("portainer-executor"))
                .toList();
    }
}
