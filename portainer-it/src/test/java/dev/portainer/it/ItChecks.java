package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Checks shared by the end-to-end tests. Each looks at one build alone ({@link Footprint}): other builds, another
 * copy of this suite too, may share the machine, its Docker daemon and its Mesos.
 */
final class ItChecks {
    /**
     * How long, once Maven has ended, a cluster may take to end the build's executors: a Mesos agent gives an
     * executor its shutdown grace period (5 s by default) before it kills it.
     */
    static final long CLUSTER_SETTLE_SECONDS = 30;
    /** How long a killed process of this machine may take to be reaped. */
    private static final long REAPED_MILLIS = 5000;

    private ItChecks() {
    }

    /**
     * After a build on the suite's Mesos: nothing of it is left. On {@code local}, no process of this run, no work
     * directory of its embedded Mesos; on a cluster, its framework ended as the master and the agents tell; on either,
     * no staged context in its target/portainer and none of its build containers on the Docker daemon.
     */
    static void assertNothingLeftBehind(MavenRun.Outcome build) throws IOException, InterruptedException {
        check(build, MesosApi.ofSuite());
    }

    /** Like {@link #assertNothingLeftBehind(MavenRun.Outcome)}, for a build on a Mesos whose API the test reads. */
    static void assertNothingLeftBehind(MavenRun.Outcome build, MesosApi mesos)
            throws IOException, InterruptedException {
        check(build, Optional.of(mesos));
    }

    private static void check(MavenRun.Outcome build, Optional<MesosApi> mesos)
            throws IOException, InterruptedException {
        Footprint footprint = Footprint.of(build);
        assertNoStagedFile(build.project());
        if (mesos.isPresent()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLUSTER_SETTLE_SECONDS);
            for (String framework : footprint.frameworkIds()) {
                mesos.get().awaitEnded(framework, deadline);
                // An agent on this machine: nothing may still work in the sandboxes it reports.
                assertEquals(List.of(), processesIn(mesos.get().executorDirectories(framework)),
                        "processes left in the sandboxes of framework " + framework);
            }
        }
        List<ProcessHandle> processes = footprint.processes();
        long reaped = System.currentTimeMillis() + REAPED_MILLIS;
        while (!processes.isEmpty() && System.currentTimeMillis() < reaped) {
            Thread.sleep(100);
            processes = footprint.processes();
        }
        assertEquals(List.of(), processes.stream().map(ProcFs::describe).toList(),
                "processes of this build left running");
        if (mesos.isEmpty()) {
            assertEquals(List.of(), footprint.localMesosWorkDirs(), "the embedded Mesos's work directory stays");
        }
        assertEquals(List.of(), footprint.containers(), "containers of this build left on the Docker daemon");
    }

    /**
     * Waits until none of the build's containers exists: Docker removes a cancelled step's container shortly after
     * the client that streamed the build went away.
     */
    static void awaitNoContainer(Footprint footprint, int seconds) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> left = footprint.containers();
        while (!left.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(250);
            left = footprint.containers();
        }
        assertEquals(List.of(), left, "the build's containers stay " + seconds + " s after it ended");
    }

    /** No staged context in the project's target/portainer, nor in any module's. */
    static void assertNoStagedFile(Path project) throws IOException {
        List<Path> works;
        try (Stream<Path> dirs = Files.walk(project, 4)) {
            works = dirs.filter(p -> p.endsWith(Path.of("target", "portainer")) && Files.isDirectory(p)).toList();
        }
        for (Path work : works) {
            try (Stream<Path> files = Files.list(work)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertFalse(names.stream().anyMatch(n -> n.endsWith(".tar.gz") || n.endsWith(".tar")
                                || n.endsWith(".part") || n.startsWith("local-mesos")),
                        "staged or local Mesos files left in " + work + ": " + names);
            }
        }
    }

    /** Processes of this machine working in one of the directories (the sandboxes a cluster's agents report). */
    private static List<String> processesIn(List<String> directories) {
        List<String> found = new ArrayList<>();
        ProcessHandle.allProcesses().filter(ProcFs::running).forEach(p -> ProcFs.cwd(p).ifPresent(link -> {
            String cwd = link.endsWith(" (deleted)") ? link.substring(0, link.length() - " (deleted)".length()) : link;
            if (directories.stream().anyMatch(d -> !d.isEmpty() && (cwd.equals(d) || cwd.startsWith(d + "/")))) {
                found.add(ProcFs.describe(p));
            }
        }));
        return found;
    }
}
