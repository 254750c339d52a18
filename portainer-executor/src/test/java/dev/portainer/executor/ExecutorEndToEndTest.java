package dev.portainer.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskResult;
import dev.portainer.executor.docker.ContextArchives;
import dev.portainer.executor.docker.DockerDaemon;
import dev.portainer.executor.docker.DockerImageBuilds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ExecutorMain as the agent starts it, against the fake agent and the real daemon and registry. */
@Timeout(120)
class ExecutorEndToEndTest {
    @TempDir
    Path sandbox;

    @Test
    void buildsAndPushesTheLaunchedImageAndReportsItInTaskFinished() throws Exception {
        DockerClient docker = DockerDaemon.connectOrSkip();
        String image = DockerDaemon.REGISTRY + "/portainer-test/e2e-" + UUID.randomUUID().toString().substring(0, 8);
        ContextArchives.tarGz(sandbox.resolve("ctx-0123abcd.tar.gz"), Map.of(
                "hello.txt", "hello\n",
                "Dockerfile", "FROM portainer/busybox:latest\nCOPY hello.txt /hello.txt\nRUN echo building-marker\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("e2e"), "Dockerfile", "ctx-0123abcd.tar.gz", true, null);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try (FakeAgent agent = new FakeAgent()) {
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("build-1", spec.toBytes()));

            int exit = ExecutorMain.run(agent.environment(sandbox), Path.of("/nonexistent"),
                    new PrintStream(stdout, true, StandardCharsets.UTF_8),
                    new PrintStream(stderr, true, StandardCharsets.UTF_8), DockerImageBuilds::new);

            assertEquals(0, exit, stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8));
            TaskStatus finished = agent.history.stream().filter(c -> c.getType() == Call.Type.UPDATE)
                    .map(c -> c.getUpdate().getStatus()).filter(s -> s.getState() == TaskState.TASK_FINISHED)
                    .findFirst().orElseThrow(() -> new AssertionError("no TASK_FINISHED: " + agent.history));
            TaskResult result = TaskResult.fromBytes(finished.getData().toByteArray());
            assertFalse(result.failed(), result.error());
            assertTrue(result.imageId().matches("sha256:[0-9a-f]{64}"), result.imageId());
            assertTrue(result.digest().matches("sha256:[0-9a-f]{64}"), result.digest());
            assertEquals(List.of(image + ":e2e"), result.tags());

            List<LogFrame> frames = agent.history.stream().filter(c -> c.getType() == Call.Type.MESSAGE)
                    .map(c -> LogFrame.fromBytes(c.getMessage().getData().toByteArray())).toList();
            long next = 0;
            for (LogFrame frame : frames) {
                assertEquals(next, frame.seq(), "frames numbered from 0 without gaps");
                next = frame.end();
            }
            assertEquals(result.logLines(), next, "every line was framed");
            List<String> framed = frames.stream().flatMap(f -> f.lines().stream()).toList();
            assertTrue(framed.contains("building-marker"), framed.toString());
            List<String> buildLines = stdout.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith(ExecutorLoop.NOTE_PREFIX)).toList();
            assertEquals(framed, buildLines,
                    "stdout holds the same lines, so the scheduler can fill gaps from the sandbox");
        } finally {
            DockerDaemon.remove(docker, List.of(image + ":e2e"));
            docker.close();
        }
    }

    @Test
    void oneExecutorBuildsTwoTasksFromContextsByFileUriAndByHttpAndExitsWhenIdle(@TempDir Path elsewhere)
            throws Exception {
        DockerClient docker = DockerDaemon.connectOrSkip();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String byPathImage = DockerDaemon.REGISTRY + "/portainer-test/several-path-" + suffix;
        String byHttpImage = DockerDaemon.REGISTRY + "/portainer-test/several-http-" + suffix;
        Path local = ContextArchives.tarGz(elsewhere.resolve("context-by-path.tar.gz"), Map.of(
                "Dockerfile", "FROM portainer/busybox:latest\nRUN echo by-path-marker && sleep 2\n"));
        byte[] served = Files.readAllBytes(ContextArchives.tarGz(elsewhere.resolve("context-by-http.tar.gz"), Map.of(
                "Dockerfile", "FROM portainer/busybox:latest\nRUN echo by-http-marker\n")));
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/context", exchange -> {
            exchange.sendResponseHeaders(200, served.length);
            try (java.io.OutputStream body = exchange.getResponseBody()) {
                body.write(served);
            }
        });
        server.start();
        BuildSpec byPath = BuildSpec.of(byPathImage, List.of("several"), "Dockerfile", "context.tar.gz", false, null)
                .withContextUri(local.toUri().toString());
        BuildSpec byHttp = BuildSpec.of(byHttpImage, List.of("several"), "Dockerfile", "context.tar.gz", false, null)
                .withContextUri("http://127.0.0.1:" + server.getAddress().getPort() + "/context");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (FakeAgent agent = new FakeAgent()) {
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("by-path", byPath.toBytes()));
            Map<String, String> env = new java.util.HashMap<>(agent.environment(sandbox));
            env.put(dev.portainer.wire.ExecutorContract.SEVERAL_TASKS_ENV, "1");
            env.put(dev.portainer.wire.ExecutorContract.IDLE_ENV, "1");
            java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return ExecutorMain.run(env, sandbox, new PrintStream(stdout, true,
                                    StandardCharsets.UTF_8), System.err, DockerImageBuilds::new);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            agent.await(c -> c.getType() == Call.Type.UPDATE && c.getUpdate().getStatus().getState()
                    == TaskState.TASK_RUNNING, java.time.Duration.ofSeconds(60));
            agent.afterSubscribed = null;
            agent.send(FakeAgent.launch(FakeAgent.task("by-http", byHttp.toBytes()))); // while the first one builds

            assertEquals(0, exit.get(100, java.util.concurrent.TimeUnit.SECONDS), stdout.toString(
                    StandardCharsets.UTF_8));
            for (String task : List.of("by-path", "by-http")) {
                TaskStatus finished = agent.history.stream().filter(c -> c.getType() == Call.Type.UPDATE)
                        .map(c -> c.getUpdate().getStatus()).filter(s -> s.getTaskId().getValue().equals(task))
                        .filter(s -> s.getState() == TaskState.TASK_FINISHED).findFirst()
                        .orElseThrow(() -> new AssertionError("no TASK_FINISHED of " + task + ": "
                                + stdout.toString(StandardCharsets.UTF_8)));
                TaskResult result = TaskResult.fromBytes(finished.getData().toByteArray());
                assertFalse(result.failed(), result.error());
                List<String> file = Files.readAllLines(sandbox.resolve("tasks/" + task + "/stdout"));
                assertEquals(result.logLines(), file.size(), "every line of the task is in its file");
                long next = 0;
                for (Call call : agent.history) {
                    if (call.getType() == Call.Type.MESSAGE) {
                        LogFrame frame = LogFrame.fromBytes(call.getMessage().getData().toByteArray());
                        if (frame.taskId().equals(task)) {
                            assertEquals(next, frame.seq(), task + "'s frames numbered from 0 without gaps");
                            assertEquals(file.subList((int) frame.seq(), (int) frame.end()), frame.lines());
                            next = frame.end();
                        }
                    }
                }
                assertEquals(result.logLines(), next, "every line of " + task + " was framed");
            }
            assertTrue(Files.readAllLines(sandbox.resolve("tasks/by-path/stdout")).contains("by-path-marker"));
            assertTrue(Files.readAllLines(sandbox.resolve("tasks/by-http/stdout")).contains("by-http-marker"));
            assertEquals(byPathImage + ":several", docker.inspectImageCmd(byPathImage + ":several").exec()
                    .getRepoTags().stream().filter((byPathImage + ":several")::equals).findFirst().orElse(null));
            assertTrue(docker.inspectImageCmd(byHttpImage + ":several").exec().getRepoTags()
                    .contains(byHttpImage + ":several"));
            assertFalse(Files.exists(sandbox.resolve("tasks/by-http/context.tar.gz")), "the download is deleted");
            assertTrue(Files.exists(local), "a context read in place stays where it was");
            assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("no task for 1 s; exiting"),
                    stdout.toString(StandardCharsets.UTF_8));
            System.out.print(stdout.toString(StandardCharsets.UTF_8)); // the executor's notes: both tasks, interleaved
        } finally {
            server.stop(0);
            DockerDaemon.remove(docker, List.of(byPathImage + ":several", byHttpImage + ":several"));
            docker.close();
        }
    }

    /**
     * A context still being packed ({@code contextGrowing}): written in pieces as {@code .part} while the build runs,
     * renamed when complete. Docker gets all of it, the last piece too, and the file stays where it was written.
     */
    @Test
    void aContextStillBeingPackedIsBuiltAsItIsWritten(@TempDir Path work) throws Exception {
        DockerClient docker = DockerDaemon.connectOrSkip();
        String image = DockerDaemon.REGISTRY + "/portainer-test/growing-"
                + UUID.randomUUID().toString().substring(0, 8);
        String filler = "0123456789abcdef\n".repeat(64 * 1024); // 1.1 MB, packed before the last entry
        byte[] archive = Files.readAllBytes(ContextArchives.tarGz(work.resolve("made.tar.gz"), new java.util.TreeMap<>(
                Map.of("a-filler.txt", filler, "z-last.txt", "last-entry\n",
                        "Dockerfile", "FROM portainer/busybox:latest\nCOPY . /ctx/\n"
                                + "RUN wc -c < /ctx/a-filler.txt && cat /ctx/z-last.txt\n"))));
        Path context = work.resolve("context-growing.tar.gz");
        BuildSpec spec = BuildSpec.of(image, List.of("growing"), "Dockerfile", "context.tar.gz", false, null)
                .withGrowingContext(context);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (FakeAgent agent = new FakeAgent()) {
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("growing", spec.toBytes()));
            java.util.concurrent.CompletableFuture<Void> packer = java.util.concurrent.CompletableFuture.runAsync(
                    () -> {
                        Path partial = context.resolveSibling(context.getFileName() + ".part");
                        try (java.io.OutputStream out = Files.newOutputStream(partial)) {
                            int piece = archive.length / 8 + 1;
                            for (int off = 0; off < archive.length; off += piece) {
                                Thread.sleep(100);
                                out.write(archive, off, Math.min(piece, archive.length - off));
                                out.flush();
                            }
                            out.close();
                            Files.move(partial, context, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });

            int exit = ExecutorMain.run(agent.environment(sandbox), Path.of("/nonexistent"),
                    new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err, DockerImageBuilds::new);

            packer.join();
            assertEquals(0, exit, stdout.toString(StandardCharsets.UTF_8));
            TaskStatus finished = agent.history.stream().filter(c -> c.getType() == Call.Type.UPDATE)
                    .map(c -> c.getUpdate().getStatus()).filter(s -> s.getState() == TaskState.TASK_FINISHED)
                    .findFirst().orElseThrow(() -> new AssertionError("no TASK_FINISHED: "
                            + stdout.toString(StandardCharsets.UTF_8)));
            assertFalse(TaskResult.fromBytes(finished.getData().toByteArray()).failed());
            List<String> lines = stdout.toString(StandardCharsets.UTF_8).lines().toList();
            assertTrue(lines.contains(Integer.toString(filler.length())), "the whole of the first entry: " + lines);
            assertTrue(lines.contains("last-entry"), "the entry written last: " + lines);
            assertTrue(Files.exists(context), "a context read in place stays where it was written");
        } finally {
            DockerDaemon.remove(docker, List.of(image + ":growing"));
            docker.close();
        }
    }

    @Test
    void anAgentThatDiesMidBuildTakesTheDockerBuildWithItAndNothingIsPushed() throws Exception {
        // What happens under the embedded agent when Maven is killed: the agent is gone, it does not checkpoint.
        DockerClient docker = DockerDaemon.connectOrSkip();
        String repo = "portainer-test/orphan-" + UUID.randomUUID().toString().substring(0, 8);
        String image = DockerDaemon.REGISTRY + "/" + repo;
        String marker = UUID.randomUUID().toString();
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile",
                "FROM portainer/busybox:latest\nLABEL portainer.test.orphan=" + marker
                        + "\nRUN echo orphan-started && sleep 60\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("orphan"), "Dockerfile", "context.tar.gz", true, null);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try {
            FakeAgent agent = new FakeAgent();
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("orphan-1", spec.toBytes()));
            java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return ExecutorMain.run(agent.environment(sandbox), sandbox,
                                    new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err,
                                    DockerImageBuilds::new);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            agent.await(c -> c.getType() == Call.Type.MESSAGE && LogFrame.fromBytes(c.getMessage().getData()
                    .toByteArray()).lines().contains("orphan-started"), java.time.Duration.ofSeconds(60));
            assertEquals(1, containers(docker, marker).size(), "the RUN step runs");

            long lost = System.nanoTime();
            agent.close();
            assertEquals(1, exit.get(10, java.util.concurrent.TimeUnit.SECONDS),
                    stdout.toString(StandardCharsets.UTF_8));
            long exitedMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!containers(docker, marker).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), containers(docker, marker), "the RUN step's container is gone");
            System.out.println("agent lost: executor done after " + exitedMs + " ms, container gone after "
                    + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost) + " ms");
            assertTrue(exitedMs < 5_000, exitedMs + " ms");
            assertFalse(stdout.toString(StandardCharsets.UTF_8).contains("Pushing "), "never pushes");
        } finally {
            DockerDaemon.remove(docker, List.of(image + ":orphan"));
            docker.close();
        }
    }

    private static List<String> containers(DockerClient docker, String marker) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("portainer.test.orphan", marker))
                .exec().stream().map(com.github.dockerjava.api.model.Container::getId).toList();
    }

    @Test
    void refusesToStartOutsideAnAgentWithExitCode2() throws Exception {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = ExecutorMain.run(Map.of("MESOS_FRAMEWORK_ID", "f"), sandbox, System.out,
                new PrintStream(stderr, true, StandardCharsets.UTF_8), host -> (spec, dir, context) -> {
                    throw new AssertionError("must not build");
                });
        assertEquals(ExecutorMain.EXIT_BAD_ENVIRONMENT, exit);
        String message = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("MESOS_AGENT_ENDPOINT is not set"), message);
        assertTrue(message.contains("MESOS_EXECUTOR_ID is not set"), message);
        assertFalse(message.contains("MESOS_FRAMEWORK_ID is not set"), message);
    }

    @Test
    void aStandbyExecutorRunsTheLaunchItIsHandedWithItsOutputInTheSandbox() throws Exception {
        DockerClient docker = DockerDaemon.connectOrSkip();
        String image = DockerDaemon.REGISTRY + "/portainer-test/standby-" + UUID.randomUUID().toString().substring(0, 8);
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of(
                "Dockerfile", "FROM portainer/busybox:latest\nRUN echo standby-marker\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("sb"), "Dockerfile", "context.tar.gz", false, null);
        Files.writeString(sandbox.resolve("stdout"), "");
        Files.writeString(sandbox.resolve("stderr"), "");
        PrintStream testOut = System.out;
        PrintStream testErr = System.err;
        try (FakeAgent agent = new FakeAgent()) {
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("standby-1", spec.toBytes()));
            StringBuilder launch = new StringBuilder();
            agent.environment(sandbox).forEach((k, v) -> launch.append(k).append('=').append(v).append('\0'));

            int exit = ExecutorMain.standBy(new java.io.ByteArrayInputStream(
                    launch.toString().getBytes(StandardCharsets.UTF_8)));

            System.setOut(testOut);
            System.setErr(testErr);
            assertEquals(0, exit, Files.readString(sandbox.resolve("stderr")));
            assertTrue(agent.history.stream().anyMatch(c -> c.getType() == Call.Type.UPDATE
                    && c.getUpdate().getStatus().getState() == TaskState.TASK_FINISHED), "finished: " + agent.history);
            assertTrue(Files.readString(sandbox.resolve("stdout")).lines().anyMatch("standby-marker"::equals),
                    "the build's lines are in the sandbox's stdout, where the scheduler reads lost ones back");
        } finally {
            System.setOut(testOut);
            System.setErr(testErr);
            DockerDaemon.remove(docker, List.of(image + ":sb"));
            docker.close();
        }
    }

    @Test
    void aStandbyExecutorNeverHandedALaunchEndsQuietly() throws Exception {
        assertEquals(0, ExecutorMain.standBy(new java.io.ByteArrayInputStream(new byte[0])));
        assertEquals(Map.of("A", "1", "B", "x=y"), ExecutorMain.readLaunch(new java.io.ByteArrayInputStream(
                "A=1\0B=x=y\0".getBytes(StandardCharsets.UTF_8))));
    }
}
