package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Checks shared by the end-to-end tests. */
final class ItChecks {
    private ItChecks() {
    }

    /** After a build: no executor process still runs and no staged context stays in the work directory. */
    static void assertNothingLeftBehind(Path project) throws IOException, InterruptedException {
        assertNoExecutorNorStagedFile(project);
        String containers = Docker.ok("ps", "-aq", "--filter", "status=running", "--filter", "status=created");
        assertEquals("", containers.trim(), "containers left running: " + containers);
    }

    /**
     * The part of {@link #assertNothingLeftBehind} that other builds on the same Docker daemon cannot disturb; tests
     * that know their build's container by a marker check it themselves.
     */
    static void assertNoExecutorNorStagedFile(Path project) throws IOException, InterruptedException {
        // The ITs run one Maven build at a time, so once a build has ended no executor JVM (nor the class-data
        // training JVM) may be alive on this machine. (Matching the project's name, as this did before, never
        // matched: an executor's command line names its jar in the sandbox, not the project.) A killed process
        // may take a moment to be reaped.
        List<String> executors = executorProcesses();
        for (int i = 0; i < 50 && !executors.isEmpty(); i++) {
            Thread.sleep(100);
            executors = executorProcesses();
        }
        assertEquals(List.of(), executors, "executor processes left running");
        Path work = project.resolve("target/portainer");
        if (Files.isDirectory(work)) {
            try (Stream<Path> files = Files.list(work)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertFalse(names.stream().anyMatch(n -> n.endsWith(".tar.gz") || n.endsWith(".tar") || n.startsWith("local-mesos")),
                        "staged or local Mesos files left in " + work + ": " + names);
            }
        }
    }

    private static List<String> executorProcesses() {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("-jar portainer-executor.jar"))
                .toList();
    }
}
