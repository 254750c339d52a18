package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the scheduler tells a user whose build cannot run as asked: too big for the cluster, or too slow. */
class SchedulingIT {

    @Test
    void aBuildLargerThanTheClusterFailsAfterTheOfferTimeoutWithADiagnosis() throws Exception {
        Path project = MavenRun.copyProject("slow-build");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/too-big", "-Dportainer.buildCpu=64",
                "-Dportainer.offerTimeout=PT5S");

        String out = build.output();
        assertNotEquals(0, build.exitCode(), out);
        assertTrue(out.contains("BUILD FAILURE"), out);
        assertTrue(out.contains("No Mesos offer could fit the build") && out.contains("within 5 s"), out);
        // What it needs, what was offered, and which parameters to change.
        assertTrue(out.contains("it needs 64.1 cpus"), out);
        assertTrue(out.matches("(?s).*the largest had [0-9.]+ cpus and [0-9.]+ MB for role '\\*'.*"), out);
        assertTrue(out.contains("roles offered: *"), out);
        assertTrue(out.contains("<buildCpu> (portainer.buildCpu)") && out.contains("<offerTimeout>"), out);
        assertFalse(out.contains("Launched "), out);
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void aBuildOverItsTimeoutIsKilledAndTheBuildFailsSayingSo() throws Exception {
        String marker = "timeout-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("slow-build");
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "RUN echo \"" + marker + "-started\" && sleep 60\n");

        long start = System.nanoTime();
        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/" + marker, "-Dportainer.timeout=PT8S");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        String out = build.output();
        assertNotEquals(0, build.exitCode(), out);
        assertTrue(out.contains(marker + "-started"), "the build had started: " + out);
        assertTrue(out.contains("did not finish within the build timeout of 8 s") && out.contains("was killed")
                && out.contains("portainer.timeout"), out);
        assertTrue(seconds < 55, "killed long before the 60 s RUN step ended: " + seconds + " s");
        // Docker removes the cancelled step's container shortly after the executor closed the build; it is found by
        // the id Docker gave it in this build's log.
        Footprint footprint = Footprint.of(build);
        assertEquals(1, footprint.containerIds().size(), "the RUN step's container, in the log: " + out);
        ItChecks.awaitNoContainer(footprint, 15);
        ItChecks.assertNothingLeftBehind(build);
        Docker.run("rmi", "-f", MavenRun.REGISTRY + "/it/" + marker + ":1.0.0");
    }
}
