package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's own checks can fail: they find what a build's log and environment name, and only that. */
class FootprintTest {
    private static final String LOG = String.join("\n",
            "[INFO] Registered with the Mesos master at http://127.0.0.1:40123 as framework 6e5c-0000; waiting for an"
                    + " offer of 0.6 cpus",
            "[INFO] Launched portainer-a1b2c3 on 127.0.0.1 (0.6 cpus, 544 MB)",
            "[INFO] [127.0.0.1:5000/it/x] Step 2/2 : RUN echo hi",
            "[INFO] [127.0.0.1:5000/it/x]  ---> Running in 37ba534a1963",
            "[INFO] [127.0.0.1:5000/it/x] Removing intermediate container 37ba534a1963",
            "[INFO] [127.0.0.1:5000/it/y]  ---> Running in ca782fe4019f",
            "[INFO] Registered with the Mesos master at http://127.0.0.1:40123 as framework 6e5c-0001; waiting for"
                    + " offers for 2 builds");

    @Test
    void theLogNamesTheBuildsFrameworksTasksAndContainers() {
        Footprint footprint = Footprint.of(new MavenRun.Outcome(0, LOG, Path.of("."), "run", 1));
        assertEquals(List.of("6e5c-0000", "6e5c-0001"), footprint.frameworkIds());
        assertEquals("portainer-a1b2c3", footprint.taskId());
        assertEquals(List.of("37ba534a1963", "ca782fe4019f"), footprint.containerIds());
    }

    @Test
    void aProcessWithTheRunsVariableIsThatRunsAndFailsTheCheckUntilItEnds(@TempDir Path project) throws Exception {
        String run = UUID.randomUUID().toString();
        Process mine = sleeper(run);
        Process other = sleeper(UUID.randomUUID().toString());
        try {
            MavenRun.Outcome build = new MavenRun.Outcome(0, "", project, run,
                    ProcessHandle.current().pid() + 1_000_000);
            List<ProcessHandle> found = Footprint.of(build).processes();
            assertEquals(List.of(mine.pid()), found.stream().map(ProcessHandle::pid).toList(),
                    "this run's process, not the other run's");
            AssertionError left = assertThrows(AssertionError.class, () -> ItChecks.assertNothingLeftBehind(build));
            assertTrue(left.getMessage().contains("processes of this build left running"), left.getMessage());
            mine.destroy();
            mine.waitFor();
            ItChecks.assertNothingLeftBehind(build);
        } finally {
            mine.destroyForcibly();
            other.destroyForcibly();
        }
    }

    private static Process sleeper(String run) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sleep", "60");
        builder.environment().put(MavenRun.RUN_VARIABLE, run);
        return builder.start();
    }
}
