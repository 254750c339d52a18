package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Executors with a DOCKER ContainerInfo run in a container of the local daemon the way Mesos's Docker containerizer
 * runs them, and the container goes when the executor does. Needs a Docker daemon and the IT base image.
 */
class DockerContainerizerTest {
    private static final String IMAGE = "127.0.0.1:5000/portainer/busybox:latest";

    private LocalMesos mesos;
    private TestScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(docker("image", "inspect", IMAGE).exitCode == 0, "needs Docker and " + IMAGE);
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1000)
                .executorShutdownGracePeriod(Duration.ofSeconds(1))
                .executorRegistrationTimeout(Duration.ofSeconds(4))
                .heartbeatInterval(Duration.ofMillis(500))
                .build());
        scheduler = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"docker\"}");
    }

    @AfterEach
    void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
        if (mesos != null) {
            mesos.close();
        }
    }

    /** Whether this machine's daemon may start privileged containers (a sandboxed CI host may not). */
    private static boolean privilegedAllowed() throws Exception {
        return docker("run", "--rm", "--privileged", IMAGE, "true").exitCode == 0;
    }

    @Test
    void aPrivilegedContainerIsAskedForWithDockerRunPrivileged() throws Exception {
        Assumptions.assumeFalse(privilegedAllowed(), "covered by the full test below on this machine");
        launch(true, "true");
        Path sandbox = sandbox();
        JsonNode failed = scheduler.nextUpdate("dind", "TASK_FAILED", 30).at("/update/status");
        assertEquals("REASON_EXECUTOR_TERMINATED", failed.path("reason").asText());
        String stderr = Files.readString(sandbox.resolve("stderr"));
        String name = "mesos-" + sandbox.getFileName();
        assertTrue(stderr.contains("Running docker run --rm --name " + name + " --privileged --net host "), stderr);
        assertTrue(stderr.contains(" -v " + sandbox.toAbsolutePath() + ":/mnt/mesos/sandbox --entrypoint /bin/sh "
                + IMAGE + " -c true"), stderr);
        assertEquals("", docker("ps", "-aq", "--filter", "name=" + name).out.trim(), "container " + name + " removed");
    }

    @Test
    void runsTheExecutorOnTheHostNetworkWithTheSandboxMountedAndRemovesItAfterwards() throws Exception {
        boolean privileged = privilegedAllowed();
        String command = "echo \"sandbox=$MESOS_SANDBOX name=$MESOS_CONTAINER_NAME agent=$MESOS_AGENT_ENDPOINT"
                + " pwd=$(pwd)\"; ls \"$MESOS_SANDBOX\" > \"$MESOS_SANDBOX/listing\"; ip link > \"$MESOS_SANDBOX/links\";"
                + " printf %s \"$MESOS_EXECUTOR_AUTHENTICATION_TOKEN\" > \"$MESOS_SANDBOX/token\";"
                + " mount > \"$MESOS_SANDBOX/mounts\"; exec sleep 600";
        launch(privileged, command);

        Path sandbox = sandbox();
        String name = "mesos-" + sandbox.getFileName();
        Path listing = sandbox.resolve("listing");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(sandbox.resolve("mounts")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(200);
        String stdout = Files.readString(sandbox.resolve("stdout"));
        assertTrue(stdout.contains("sandbox=/mnt/mesos/sandbox name=" + name + " agent=127.0.0.1:"), stdout
                + Files.readString(sandbox.resolve("stderr")));
        assertTrue(Files.readString(listing).contains("stdout"), "the sandbox is mounted at /mnt/mesos/sandbox");
        assertTrue(Files.readString(sandbox.resolve("links")).contains("lo"), "links");
        String inspect = docker("inspect", "-f", "{{.HostConfig.Privileged}} {{.HostConfig.NetworkMode}}", name).out;
        assertEquals(privileged + " host", inspect.trim());
        String token = Files.readString(sandbox.resolve("token"));
        assertTrue(token.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+"), "the executor in the container has its token");
        String stderr = Files.readString(sandbox.resolve("stderr"));
        assertTrue(stderr.contains(" -e MESOS_EXECUTOR_AUTHENTICATION_TOKEN -e "), stderr);
        assertFalse(stderr.contains(token), "the token is not on the docker CLI's command line, which anyone can read");

        // It never subscribes: the registration timeout kills it, and the container must go with it.
        JsonNode failed = scheduler.nextUpdate("dind", "TASK_FAILED", 20).at("/update/status");
        assertEquals("REASON_EXECUTOR_REGISTRATION_TIMEOUT", failed.path("reason").asText());
        long gone = System.currentTimeMillis() + 15_000;
        while (!docker("ps", "-aq", "--filter", "name=" + name).out.isBlank() && System.currentTimeMillis() < gone) {
            Thread.sleep(200);
        }
        assertEquals("", docker("ps", "-aq", "--filter", "name=" + name).out.trim(), "container " + name + " removed");
    }

    private void launch(boolean privileged, String command) throws Exception {
        JsonNode offer = scheduler.offer(10);
        String accept = "{\"offer_ids\":[" + offer.get("id") + "],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":"
                + "{\"task_infos\":[{\"name\":\"t\",\"task_id\":{\"value\":\"dind\"},\"agent_id\":"
                + offer.get("agent_id") + ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
                + "{\"value\":0.1}}],\"executor\":{\"type\":\"CUSTOM\",\"executor_id\":{\"value\":\"e-dind\"},"
                + "\"command\":{\"value\":" + TestScheduler.JSON.writeValueAsString(command) + ",\"shell\":true},"
                + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + IMAGE + "\",\"privileged\":"
                + privileged + ",\"network\":\"HOST\"}},"
                + "\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}}]}}]}}],"
                + "\"filters\":{\"refuse_seconds\":1}}";
        HttpResponse<String> response = scheduler.call("ACCEPT", "accept", accept);
        assertEquals(202, response.statusCode(), response.body());
    }

    private Path sandbox() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        Path slaves = mesos.workDir().resolve("slaves");
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(slaves)) {
                try (Stream<Path> walk = Files.walk(slaves)) {
                    var found = walk.filter(p -> p.getParent().getFileName().toString().equals("runs")
                            && !Files.isSymbolicLink(p)).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no sandbox");
    }

    private record Result(int exitCode, String out) {
    }

    private static Result docker(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "docker";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return new Result(p.exitValue(), out);
    }
}
