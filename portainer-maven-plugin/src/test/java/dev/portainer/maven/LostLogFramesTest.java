package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.build.RunSettings;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.ImageBuild;
import dev.portainer.core.build.ImageRef;
import dev.portainer.core.build.LocalMaster;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against the embedded Mesos and the real executor jar this plugin carries, with the agent dropping log
 * messages on purpose: the log the Maven user sees is still complete and in order, because the scheduler reads the
 * lost lines back from the sandbox. Blank lines and Docker's warnings among them too: every one is a line of the
 * sandbox's stdout, and a warning read back is a warning still.
 */
@Timeout(180)
class LostLogFramesTest {
    private static final int LINES = 30;
    @TempDir
    Path project;
    private final String image = "127.0.0.1:5000/portainer-test/lost-frames-" + UUID.randomUUID().toString()
            .substring(0, 8);
    private final EngineTests.RecordedEvents events = new EngineTests.RecordedEvents();
    private final List<String> log = events.log;
    private final List<String> warnings = events.warnings;
    private final List<String> dockerWarnings = events.dockerWarnings;
    private final AtomicInteger dropped = new AtomicInteger();

    @AfterEach
    void removeImage() throws Exception {
        EngineTests.docker("rmi", "-f", image + ":1.0", image + "-a:1.0", image + "-b:1.0");
    }

    @Test
    void theMavenLogIsCompleteAndInOrderWhenTheClusterDropsLogMessages() throws Exception {
        assumeTrue(EngineTests.dockerRuns(), "needs a Docker daemon");
        Path context = Files.createDirectories(project.resolve("context"));
        // The empty line in the continuation makes Docker's parser warn (three lines on the build's stderr).
        // A pause after each pair of lines: the executor sends what waited while its last frame was on the way, so
        // lines printed apart travel apart and the agent has frames enough to drop.
        Files.writeString(context.resolve("Dockerfile"), "FROM portainer/busybox:latest\n"
                + "RUN echo warned \\\n\n && for i in $(seq -w 1 " + LINES + "); do echo log-line-$i; echo; "
                + "usleep 20000; done\n");
        // Two of every five messages vanish, as framework messages may on a real cluster.
        BuildResult result = build(context, index -> index % 5 == 1 || index % 5 == 2);

        assertTrue(result.imageId().startsWith("sha256:"), result.imageId());
        assertTrue(dropped.get() >= 5, "the agent dropped messages: " + dropped.get());
        int running = log.indexOf(log.stream().filter(l -> l.startsWith(" ---> Running in ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RUN step: " + log)));
        List<String> runOutput = log.subList(running + 1, log.indexOf(log.stream()
                .filter(l -> l.startsWith("Removing intermediate container ")).findFirst().orElseThrow()));
        List<String> expected = new java.util.ArrayList<>(List.of("warned"));
        for (int i = 1; i <= LINES; i++) {
            expected.add(String.format("log-line-%02d", i));
            expected.add("");
        }
        assertEquals(expected, runOutput, "every line, once, in order, blank ones included: " + log);
        assertEquals(3, dockerWarnings.size(), dockerWarnings.toString());
        assertEquals(List.of("[WARNING]: Empty continuation line found in:",
                "[WARNING]: Empty continuation lines will become errors in a future release."),
                List.of(dockerWarnings.get(0), dockerWarnings.get(2)), dockerWarnings.toString());
        assertTrue(dockerWarnings.get(1).startsWith("    RUN echo warned "), dockerWarnings.toString());
        assertEquals(dockerWarnings, log.subList(1, 4), "the warnings come first, right after the executor's line");
        assertTrue(log.get(0).startsWith("Building " + image), "the first line is there too: " + log);
        assertTrue(log.get(log.size() - 1).startsWith("Successfully tagged " + image), "and the last: " + log);
        assertTrue(log.stream().noneMatch(l -> l.startsWith("(recovered")), "all in place: " + log);
        assertEquals(List.of(), warnings);
    }

    /** Builds the context on an embedded Mesos whose agent drops the executor's messages that {@code drop} picks. */
    private BuildResult build(Path context, LongPredicate drop) throws Exception {
        return buildAll(List.of(ImageSpec.builder(context, ImageRef.parse(image), List.of("1.0")).resources(0.5, 256)
                .build()), drop).get(0);
    }

    /** Each image's lines as shown, by task name; and the info lines. */
    private final Map<String, List<String>> logs = events.logs;
    private final List<String> infos = events.infos;

    private List<BuildResult> buildAll(List<ImageSpec> requests, LongPredicate drop) throws Exception {
        Path work = project.resolve("target/portainer");
        RunSettings settings = EngineTests.settings(work);
        LocalMaster.Launcher lossy = () -> {
            LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1000)
                    .dropExecutorMessages(index -> drop.test(index) && dropped.incrementAndGet() > 0)
                    .build());
            return new LocalMaster() {
                @Override
                public URI uri() {
                    return mesos.masterUri();
                }

                @Override
                public void close() {
                    mesos.close();
                }
            };
        };

        List<BuildResult> results = new java.util.ArrayList<>();
        for (var outcome : ImageBuild.run(new BuildPlan(settings, requests), events, lossy)) {
            results.add(outcome.orThrow());
        }
        return results;
    }

    /**
     * Two images whose builds share one executor: each keeps its own log file in the sandbox and its frames name it,
     * so lines lost in transit are read back from the right file, and neither image's log gets the other's lines.
     */
    @Test
    void eachLogOfBuildsSharingAnExecutorIsCompleteAndInOrderWhenTheClusterDropsLogMessages() throws Exception {
        assumeTrue(EngineTests.dockerRuns(), "needs a Docker daemon");
        List<ImageSpec> requests = new java.util.ArrayList<>();
        for (String name : List.of("a", "b")) {
            Path context = Files.createDirectories(project.resolve("context-" + name));
            Files.writeString(context.resolve("Dockerfile"), "FROM portainer/busybox:latest\n"
                    + "RUN for i in $(seq -w 1 " + LINES + "); do echo " + name + "-line-$i; usleep 20000; done\n");
            requests.add(ImageSpec.builder(context, ImageRef.parse(image + "-" + name), List.of("1.0"))
                    .resources(0.5, 256).build());
        }

        List<BuildResult> results = buildAll(requests, index -> index % 5 == 1 || index % 5 == 2);

        assertEquals(2, results.size());
        assertTrue(dropped.get() >= 5, "the agent dropped messages: " + dropped.get());
        List<String> launches = infos.stream().filter(i -> i.startsWith("Launched ")).toList();
        assertEquals(2, launches.size(), infos.toString());
        assertEquals(launches.get(0).replaceAll(".* in executor ", ""), launches.get(1).replaceAll(".* in executor ",
                ""), "one executor for both: " + launches);
        assertTrue(launches.get(0).contains(" in executor portainer-executor-"), launches.toString());
        for (String name : List.of("a", "b")) {
            List<String> lines = logs.entrySet().stream().filter(e -> e.getKey().contains(image + "-" + name))
                    .findFirst().orElseThrow(() -> new AssertionError("no log of " + name + ": " + logs.keySet()))
                    .getValue();
            List<String> run = lines.stream().filter(l -> l.matches("[ab]-line-\\d+")).toList();
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 1; i <= LINES; i++) {
                expected.add(String.format("%s-line-%02d", name, i));
            }
            assertEquals(expected, run, "every line of " + name + ", once, in order, none of the other's: " + lines);
            assertTrue(lines.stream().noneMatch(l -> l.startsWith("(recovered")), "all in place: " + lines);
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aChattyBuildsLogIsCompleteAndInOrderWhenFramesOfManyLinesAreDropped() throws Exception {
        assumeTrue(EngineTests.dockerRuns(), "needs a Docker daemon");
        Path context = Files.createDirectories(project.resolve("context"));
        int lines = 20_000;
        // Printed at once, so the executor batches them: a dropped message takes thousands of lines with it.
        Files.writeString(context.resolve("Dockerfile"), "FROM portainer/busybox:latest\nRUN seq 1 " + lines + "\n");

        BuildResult result = build(context, index -> index % 3 == 1);

        assertTrue(result.imageId().startsWith("sha256:"), result.imageId());
        assertTrue(dropped.get() >= 1, "the agent dropped messages: " + dropped.get());
        int running = log.indexOf(log.stream().filter(l -> l.startsWith(" ---> Running in ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RUN step: " + log.subList(0, Math.min(20, log.size())))));
        List<String> runOutput = log.subList(running + 1, log.indexOf(log.stream()
                .filter(l -> l.startsWith("Removing intermediate container ")).findFirst().orElseThrow()));
        assertEquals(lines, runOutput.size(), "every line once");
        for (int i = 0; i < lines; i++) {
            assertEquals(Integer.toString(i + 1), runOutput.get(i), "line " + (i + 1) + " in its place");
        }
        assertTrue(log.get(log.size() - 1).startsWith("Successfully tagged " + image), "and the last: "
                + log.get(log.size() - 1));
        assertTrue(log.stream().noneMatch(l -> l.startsWith("(recovered")), "all in place");
        assertEquals(List.of(), warnings);
    }
}
