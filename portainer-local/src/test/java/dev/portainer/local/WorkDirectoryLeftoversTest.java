package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Maven killed with its build (kill -9, the OOM killer) never deletes its temporary work directory; the next
 * embedded Mesos does, and only that: not the directory of another Maven running on this machine now.
 */
@Timeout(60)
class WorkDirectoryLeftoversTest {
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
    private final String unique = "test-" + UUID.randomUUID();
    private Process anotherMaven;
    private Path deadRuns;
    private Path liveRuns;

    @AfterEach
    void cleanUp() throws Exception {
        if (anotherMaven != null) {
            anotherMaven.destroyForcibly().waitFor();
        }
        for (Path dir : new Path[] {deadRuns, liveRuns}) {
            if (dir != null && Files.exists(dir)) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void startingRemovesTheWorkDirectoryOfAKilledJvmAndKeepsThatOfALiveOne() throws Exception {
        Process killed = new ProcessBuilder("true").start();
        killed.waitFor();
        anotherMaven = new ProcessBuilder("sleep", "60").start();
        deadRuns = TMP.resolve(LocalMesos.TEMPORARY_WORK_DIR + "pid" + killed.pid() + "-" + unique);
        liveRuns = TMP.resolve(LocalMesos.TEMPORARY_WORK_DIR + "pid" + anotherMaven.pid() + "-" + unique);
        for (Path dir : new Path[] {deadRuns, liveRuns}) {
            Path sandbox = Files.createDirectories(dir.resolve("slaves/S0/frameworks/f/executors/e/runs/r1"));
            Files.writeString(sandbox.resolve("context.tar.gz"), "the packed context");
            Files.createSymbolicLink(sandbox.resolveSibling("latest"), sandbox.getFileName());
        }

        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(512).diskMb(10).build())) {
            assertTrue(mesos.workDir().getFileName().toString().startsWith(LocalMesos.TEMPORARY_WORK_DIR + "pid"
                    + ProcessHandle.current().pid() + "-"), "named for its JVM: " + mesos.workDir());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(deadRuns) && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertFalse(Files.exists(deadRuns), "the killed JVM's work directory stays: " + deadRuns);
            assertTrue(Files.exists(liveRuns.resolve("slaves/S0/frameworks/f/executors/e/runs/r1/context.tar.gz")),
                    "another Maven's work directory must be left alone");
            assertTrue(Files.isDirectory(mesos.workDir()), "its own is in use");
        }
    }
}
