package dev.portainer.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskProgress;
import dev.portainer.wire.TaskResult;
import dev.portainer.wire.WireFormat;
import dev.portainer.executor.agent.AgentClient;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ImageBuild;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.executor.build.ImageBuildResult;
import dev.portainer.executor.build.ImageBuilds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ExecutorLoopTest {
    private static final BuildSpec SPEC = BuildSpec.of("127.0.0.1:5000/team/app", List.of("1.0", "latest"),
            "Dockerfile", "context.tar.gz", true, null);
    private static final ImageBuildResult BUILT = new ImageBuildResult("sha256:" + "a".repeat(64),
            "sha256:" + "b".repeat(64), List.of("127.0.0.1:5000/team/app:1.0", "127.0.0.1:5000/team/app:latest"), 1234,
            orderedDigests("1.0", "sha256:" + "b".repeat(64), "latest", "sha256:" + "c".repeat(64)));

    @TempDir
    Path sandbox;
    private FakeAgent agent;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @BeforeEach
    void startAgent() throws Exception {
        agent = new FakeAgent();
    }

    @AfterEach
    void stopAgent() throws Exception {
        agent.close();
        // The executor's own account, for when a test fails; not every line of a flood.
        List<String> printed = stdout().lines().toList();
        long buildLines = printed.stream().filter(l -> !l.startsWith(ExecutorLoop.NOTE_PREFIX)).count();
        System.out.println(buildLines <= 100 ? stdout() : String.join("\n", printed.stream()
                .filter(l -> l.startsWith(ExecutorLoop.NOTE_PREFIX)).toList()) + "\n(and " + buildLines
                + " build lines)");
    }

    @Test
    void reportsStartingRunningFinishedWithRealUuidsAndFramesEveryLogLine() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of("Step 1/2 : FROM portainer/busybox", "building-marker"));
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);

        List<TaskStatus> updates = List.of(
                agent.awaitUpdate(TaskState.TASK_STARTING).getUpdate().getStatus(),
                agent.awaitUpdate(TaskState.TASK_RUNNING).getUpdate().getStatus(),
                agent.awaitUpdate(TaskState.TASK_FINISHED).getUpdate().getStatus());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));

        Set<UUID> uuids = new HashSet<>();
        for (TaskStatus status : updates) {
            assertTrue(FakeAgent.isRealUuid(status.getUuid()), "uuid must be an RFC 4122 UUID");
            uuids.add(dev.portainer.wire.mesos.MesosUuids.uuid(status.getUuid()));
            assertEquals(TaskStatus.Source.SOURCE_EXECUTOR, status.getSource());
            assertEquals("task-1", status.getTaskId().getValue());
            assertEquals(FakeAgent.EXECUTOR, status.getExecutorId().getValue());
        }
        assertEquals(3, uuids.size(), "every update has its own uuid");
        TaskResult result = TaskResult.fromBytes(updates.get(2).getData().toByteArray());
        assertEquals(BUILT.imageId(), result.imageId());
        assertEquals(BUILT.digest(), result.digest());
        assertEquals(BUILT.tags(), result.tags());
        assertEquals(List.of("1.0", "latest"), List.copyOf(result.digests().keySet()), "every tag's digest, in order");
        assertEquals(BUILT.digests(), result.digests());
        assertEquals(2, result.logLines());
        assertFalse(result.failed());

        assertEquals(List.of("Step 1/2 : FROM portainer/busybox", "building-marker"), framedLines(),
                "every line, numbered from 0 without gaps");
        assertTrue(stdout().contains("\nbuilding-marker\n"), "build lines go to stdout verbatim: " + stdout());
    }

    @Test
    void aProgressLineIsMarkedInItsFrameAndEndsWithTheMarkOnStdout() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        List<String> lines = List.of("The push refers to repository [127.0.0.1:5000/team/app]", "abc: Pushing",
                "Pushing 1 layer: 50% (1.0/2.0 MB)", "1.0: digest: sha256:0 size: 528");
        ScriptedBuild build = new ScriptedBuild(lines);
        build.progress = Set.of(1, 2);
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);

        agent.awaitUpdate(TaskState.TASK_FINISHED);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));

        List<LogFrame.Kind> kinds = new ArrayList<>();
        for (Call call : agent.history) {
            if (call.getType() == Call.Type.MESSAGE) {
                kinds.addAll(LogFrame.fromBytes(call.getMessage().getData().toByteArray()).kinds());
            }
        }
        assertEquals(lines, framedLines(), "the text, without the mark");
        assertEquals(List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.PROGRESS, LogFrame.Kind.PROGRESS,
                LogFrame.Kind.OUTPUT), kinds);
        assertTrue(stdout().contains("\nabc: Pushing\r\nPushing 1 layer: 50% (1.0/2.0 MB)\r\n1.0: digest: sha256:0"
                + " size: 528\n"), stdout());
        assertTrue(stdout().contains("\nThe push refers to repository [127.0.0.1:5000/team/app]\n"), stdout());
    }

    @Test
    void aFloodOfLinesGoesOutInFewFramesAndTheFinalUpdateNeverWaitsBehindThem() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        // The agent takes no frame until the build has ended: what the executor has not sent waits in its queue.
        agent.messagesHeld = new CountDownLatch(1);
        int total = 200_000;
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            lines.add(Integer.toString(i));
        }
        long capacity = 64 * 1024;
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), new ScriptedBuild(lines), capacity);

        // Frames stuck or not, the final update goes out on its own path and is acknowledged.
        TaskStatus finished = agent.awaitUpdate(TaskState.TASK_FINISHED).getUpdate().getStatus();
        assertEquals(total, TaskResult.fromBytes(finished.getData().toByteArray()).logLines());
        agent.messagesHeld.countDown();
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));

        // Every line is in stdout, in order: the source of truth the scheduler reads back for what was not framed.
        List<String> printed = stdout().lines().filter(l -> !l.startsWith(ExecutorLoop.NOTE_PREFIX)).toList();
        assertEquals(lines, printed);
        // What was framed is each line at its own number, in runs of many lines; the queue held at most its bound.
        List<LogFrame> frames = new ArrayList<>();
        for (Call call : agent.history) {
            if (call.getType() == Call.Type.MESSAGE) {
                frames.add(LogFrame.fromBytes(call.getMessage().getData().toByteArray()));
            }
        }
        long framed = 0;
        for (LogFrame frame : frames) {
            for (int i = 0; i < frame.lines().size(); i++) {
                assertEquals(Long.toString(frame.seq() + i + 1), frame.lines().get(i), "line " + (frame.seq() + i));
            }
            framed += frame.lines().size();
        }
        assertTrue(framed > 0, "some lines were framed");
        assertTrue(framed < total, "a full queue leaves lines to the sandbox rather than growing: " + framed);
        // A line takes at least 3 bytes in the queue ("" and a comma); one run of the loop's may go past the bound.
        assertTrue(framed <= (capacity + LogChannel.MAX_FRAME_BYTES) / 3 + 4096, "at most the queue and a frame: "
                + framed);
        assertTrue(frames.size() < 100, "many lines a frame: " + frames.size() + " frames for " + framed + " lines");
    }

    @Test
    void thePushWaitsUntilTheAgentAcknowledgedTheUpdateSayingItIsAboutToPush() throws Exception {
        agent.autoAcknowledge = false;
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of("Successfully built 1a2b3c"));
        build.pushes = true;
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);
        agent.send(FakeAgent.acknowledged(agent.awaitUpdate(TaskState.TASK_STARTING).getUpdate().getStatus()));
        TaskStatus running = agent.awaitUpdate(TaskState.TASK_RUNNING).getUpdate().getStatus();
        assertTrue(running.getData().isEmpty(), "the build started: nothing to say yet");
        agent.send(FakeAgent.acknowledged(running));

        TaskStatus pushing = agent.awaitUpdate(TaskState.TASK_RUNNING).getUpdate().getStatus();
        assertTrue(TaskProgress.fromBytes(pushing.getData().toByteArray()).pushing());
        Thread.sleep(300);
        assertFalse(build.pushed, "no push before the scheduler is sure to hear of it");
        agent.autoAcknowledge = true;
        agent.send(FakeAgent.acknowledged(pushing));

        agent.awaitUpdate(TaskState.TASK_FINISHED);
        assertTrue(build.pushed);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aKillWhileThePushWaitsForItsAcknowledgementStopsTheBuildBeforeItPushes() throws Exception {
        agent.autoAcknowledge = false;
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of());
        build.pushes = true;
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);
        agent.awaitUpdate(TaskState.TASK_STARTING);
        agent.awaitUpdate(TaskState.TASK_RUNNING);
        TaskStatus pushing = agent.awaitUpdate(TaskState.TASK_RUNNING).getUpdate().getStatus();
        assertTrue(TaskProgress.fromBytes(pushing.getData().toByteArray()).pushing());

        agent.autoAcknowledge = true;
        agent.send(FakeAgent.kill("task-1"));
        agent.awaitUpdate(TaskState.TASK_KILLED);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertFalse(build.pushed, "stopped while waiting: nothing pushed");
    }

    @Test
    void sendsTheAgentsTokenFromItsEnvironmentOnEveryCallAndPrintsItNowhere() throws Exception {
        String token = "eyJhbGciOiJIUzI1NiJ9.eyJmaWQiOiJmIn0.c2lnbmF0dXJl";
        agent.requiredToken = token; // the fake agent now refuses any call without it, as a real one would
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        java.util.Map<String, String> env = new java.util.HashMap<>(agent.environment(sandbox));
        env.put("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", token);
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        int exit = ExecutorMain.run(env, sandbox, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                dockerHost -> (spec, dir) -> new ScriptedBuild(List.of("building-marker")));

        assertEquals(0, exit, stdout() + stderr);
        assertTrue(agent.history.stream().anyMatch(c -> c.getType() == Call.Type.MESSAGE), "messages went through");
        assertFalse(agent.authorizations.isEmpty());
        assertEquals(Set.of("Bearer " + token), Set.copyOf(agent.authorizations), "on every call");
        assertFalse(stdout().contains(token) || stderr.toString(StandardCharsets.UTF_8).contains(token),
                "never printed");
    }

    @Test
    void resubscribesWithUnacknowledgedUpdatesAndTaskAfterTheStreamDrops() throws Exception {
        agent.autoAcknowledge = false;
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of("one line"));
        build.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);

        TaskStatus starting = agent.awaitUpdate(TaskState.TASK_STARTING).getUpdate().getStatus();
        TaskStatus running = agent.awaitUpdate(TaskState.TASK_RUNNING).getUpdate().getStatus();
        agent.afterSubscribed = null; // a real agent does not launch the task again
        agent.dropSubscription();

        Call resubscribe = agent.await(c -> c.getType() == Call.Type.SUBSCRIBE, Duration.ofSeconds(10));
        List<TaskStatus> resent = resubscribe.getSubscribe().getUnacknowledgedUpdatesList().stream()
                .map(Call.Update::getStatus).toList();
        assertEquals(List.of(starting.getUuid(), running.getUuid()), resent.stream().map(TaskStatus::getUuid).toList());
        assertEquals(List.of(TaskState.TASK_STARTING, TaskState.TASK_RUNNING),
                resent.stream().map(TaskStatus::getState).toList());
        assertEquals("task-1", resubscribe.getSubscribe().getUnacknowledgedTasks(0).getTaskId().getValue());

        // The agent acknowledges what the SUBSCRIBE carried; the build ends; only the final update remains.
        agent.send(FakeAgent.acknowledged(starting));
        agent.send(FakeAgent.acknowledged(running));
        agent.autoAcknowledge = true;
        build.hold.countDown();
        TaskStatus finished = agent.awaitUpdate(TaskState.TASK_FINISHED).getUpdate().getStatus();
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertEquals(1, TaskResult.fromBytes(finished.getData().toByteArray()).logLines());
    }

    @Test
    void keepsTheFinalUpdateUntilAcknowledgedAcrossADrop() throws Exception {
        agent.autoAcknowledge = false;
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), new ScriptedBuild(List.of()));
        TaskStatus finished = agent.awaitUpdate(TaskState.TASK_FINISHED).getUpdate().getStatus();
        agent.afterSubscribed = null;
        agent.dropSubscription();

        Call resubscribe = agent.await(c -> c.getType() == Call.Type.SUBSCRIBE, Duration.ofSeconds(10));
        assertTrue(resubscribe.getSubscribe().getUnacknowledgedUpdatesList().stream()
                .anyMatch(u -> u.getStatus().getUuid().equals(finished.getUuid())), "TASK_FINISHED is resent");
        assertFalse(exit.isDone(), "must not exit before the final update is acknowledged");
        agent.send(FakeAgent.acknowledged(finished));
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void failsTheTaskWithTheWireFormatMessageWhenTheSpecIsFromAnotherVersion() throws Exception {
        byte[] future = new String(SPEC.toBytes(), StandardCharsets.UTF_8)
                .replace("\"v\":" + WireFormat.VERSION, "\"v\":99")
                .getBytes(StandardCharsets.UTF_8);
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", future));
        ScriptedBuild build = new ScriptedBuild(List.of());
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);

        TaskStatus failed = agent.awaitUpdate(TaskState.TASK_FAILED).getUpdate().getStatus();
        assertTrue(failed.getMessage().contains("wire version 99"), failed.getMessage());
        TaskResult result = TaskResult.fromBytes(failed.getData().toByteArray());
        assertEquals(failed.getMessage(), result.error());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertFalse(build.ran, "nothing is built from a spec that was not understood");
    }

    @Test
    void failsTheTaskWithDockersOwnTextWhenTheBuildFails() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of("Step 2/2 : RUN exit 3"));
        build.failure = new ImageBuildException("The command '/bin/sh -c exit 3' returned a non-zero code: 3", null, null);
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);

        TaskStatus failed = agent.awaitUpdate(TaskState.TASK_FAILED).getUpdate().getStatus();
        assertEquals("The command '/bin/sh -c exit 3' returned a non-zero code: 3", failed.getMessage());
        TaskResult result = TaskResult.fromBytes(failed.getData().toByteArray());
        assertTrue(result.failed());
        assertEquals(1, result.logLines());
        assertNull(result.imageId());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void killCancelsTheBuildAndReportsKilled() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of());
        build.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);
        agent.awaitUpdate(TaskState.TASK_RUNNING);

        agent.send(FakeAgent.kill("task-1"));
        TaskStatus killed = agent.awaitUpdate(TaskState.TASK_KILLED).getUpdate().getStatus();
        assertTrue(build.cancelled, "the build was told to stop");
        assertTrue(TaskResult.fromBytes(killed.getData().toByteArray()).failed());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void shutdownCancelsTheBuildAndReportsKilled() throws Exception {
        // What a real agent sends once the master removed the framework (its scheduler gone past failover_timeout).
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of());
        build.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);
        agent.awaitUpdate(TaskState.TASK_RUNNING);

        agent.send(org.apache.mesos.v1.executor.Protos.Event.newBuilder()
                .setType(org.apache.mesos.v1.executor.Protos.Event.Type.SHUTDOWN).build());
        TaskStatus killed = agent.awaitUpdate(TaskState.TASK_KILLED).getUpdate().getStatus();
        assertTrue(build.cancelled, "the build was told to stop");
        assertTrue(killed.getMessage().contains("shut the executor down"), killed.getMessage());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void withoutCheckpointingALostAgentStopsTheBuildAtOnce() throws Exception {
        // The embedded agent's executors: when the Maven JVM dies, so does their agent, and nobody will recover them.
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of());
        build.hold = new CountDownLatch(1);
        ExecutorSettings settings = ExecutorSettings.fromEnvironment(agent.environment(sandbox), sandbox);
        CompletableFuture<Integer> exit = start(settings, build);
        agent.awaitUpdate(TaskState.TASK_RUNNING);

        long lost = System.nanoTime();
        agent.close();
        assertEquals(1, exit.get(10, TimeUnit.SECONDS), "must not retry a dead agent: " + stdout());
        assertTrue(build.cancelled, "the build is stopped, so that it never pushes");
        assertTrue(System.nanoTime() - lost < TimeUnit.SECONDS.toNanos(5), "within seconds");
        assertTrue(stdout().contains("does not checkpoint"), stdout());
        assertEquals(1, agent.history.stream().filter(c -> c.getType() == Call.Type.SUBSCRIBE).count(),
                "no SUBSCRIBE to the dead agent");
    }

    @Test
    void withoutCheckpointingAnErrorFromTheAgentIsAnsweredByResubscribing() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of());
        build.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = start(settings(Duration.ZERO), build);
        agent.awaitUpdate(TaskState.TASK_RUNNING);
        agent.afterSubscribed = null;

        agent.send(org.apache.mesos.v1.executor.Protos.Event.newBuilder()
                .setType(org.apache.mesos.v1.executor.Protos.Event.Type.ERROR)
                .setError(org.apache.mesos.v1.executor.Protos.Event.Error.newBuilder().setMessage("glitch")).build());
        agent.await(c -> c.getType() == Call.Type.SUBSCRIBE, Duration.ofSeconds(10));
        assertFalse(build.cancelled, "an agent that sent ERROR is there: not a lost agent " + stdout());
        build.hold.countDown();
        agent.awaitUpdate(TaskState.TASK_FINISHED);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void givesUpWhenTheAgentStaysAwayLongerThanTheRecoveryTimeout() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of());
        build.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = start(settings(Duration.ofSeconds(2)), build);
        agent.awaitUpdate(TaskState.TASK_RUNNING);
        agent.close(); // the agent is gone for good

        assertEquals(1, exit.get(20, TimeUnit.SECONDS));
        assertTrue(build.cancelled, "a build nobody can report is stopped");
        assertTrue(stdout().contains("giving up"), stdout());
    }

    @Test
    void exitsAtOnceWhenTheAgentRefusesTheSubscription() throws Exception {
        ExecutorSettings wrongExecutor = new ExecutorSettings(agent.endpoint(), false, FakeAgent.FRAMEWORK,
                "not-this-one", sandbox, Duration.ofMinutes(15), Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(5), null, null);
        CompletableFuture<Integer> exit = start(wrongExecutor, new ScriptedBuild(List.of()));
        assertEquals(1, exit.get(10, TimeUnit.SECONDS));
        assertTrue(stdout().contains("HTTP 400: Executor is not found"), stdout());
    }

    private ExecutorSettings settings(Duration recovery) {
        return new ExecutorSettings(agent.endpoint(), false, FakeAgent.FRAMEWORK, FakeAgent.EXECUTOR, sandbox,
                recovery, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5),
                null, null);
    }

    private CompletableFuture<Integer> start(ExecutorSettings settings, ScriptedBuild build) {
        return start(settings, build, LogChannel.DEFAULT_CAPACITY_BYTES);
    }

    /** With the log channel's queue bounded at {@code logCapacity} bytes, and stdout buffered as the jar's is. */
    private CompletableFuture<Integer> start(ExecutorSettings settings, ScriptedBuild build, long logCapacity) {
        ImageBuilds builds = (spec, dir) -> {
            assertEquals(SPEC, spec);
            assertEquals(sandbox, dir);
            return build;
        };
        ExecutorLoop loop = new ExecutorLoop(settings, new AgentClient(settings.agentEndpoint(), false), builds,
                Clock.systemUTC(), UUID::randomUUID, new PrintStream(new java.io.BufferedOutputStream(stdout, 1 << 16),
                false, StandardCharsets.UTF_8), logCapacity);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return loop.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The lines of every frame sent, in order; fails unless they are numbered from 0 without gap or overlap. */
    private List<String> framedLines() {
        List<String> lines = new ArrayList<>();
        for (Call call : agent.history) {
            if (call.getType() == Call.Type.MESSAGE) {
                LogFrame frame = LogFrame.fromBytes(call.getMessage().getData().toByteArray());
                assertEquals(lines.size(), frame.seq(), "frames follow each other: " + lines);
                lines.addAll(frame.lines());
            }
        }
        return lines;
    }

    private String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    /** A build that prints its lines, optionally waits to be released or cancelled, then succeeds or fails. */
    private static final class ScriptedBuild implements ImageBuild {
        private final List<String> lines;
        /** The indexes of the lines it prints as progress. */
        volatile Set<Integer> progress = Set.of();
        volatile CountDownLatch hold;
        volatile ImageBuildException failure;
        volatile boolean ran;
        volatile boolean cancelled;
        /** Whether it pushes after its lines (asking the executor first, as a real build does). */
        volatile boolean pushes;
        volatile boolean pushed;

        ScriptedBuild(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException {
            ran = true;
            for (int i = 0; i < lines.size(); i++) {
                if (progress.contains(i)) {
                    log.progress(lines.get(i));
                } else {
                    log.line(lines.get(i));
                }
            }
            if (hold != null) {
                hold.await();
            }
            if (cancelled) {
                throw new ImageBuildException("The build was cancelled", null, null);
            }
            if (failure != null) {
                throw failure;
            }
            if (pushes) {
                log.beforePush();
                if (cancelled) {
                    throw new ImageBuildException("The build was cancelled", BUILT.imageId(), null);
                }
                pushed = true;
            }
            return BUILT;
        }

        @Override
        public void cancel() {
            cancelled = true;
            if (hold != null) {
                hold.countDown();
            }
        }
    }

    private static java.util.Map<String, String> orderedDigests(String... tagsAndDigests) {
        java.util.Map<String, String> digests = new java.util.LinkedHashMap<>();
        for (int i = 0; i < tagsAndDigests.length; i += 2) {
            digests.put(tagsAndDigests[i], tagsAndDigests[i + 1]);
        }
        return digests;
    }

    @Test
    void aBuildLineIsOneStdoutLineThatNeverPassesForTheExecutorsNote() {
        assertEquals("Step 1/2 : FROM x", ExecutorLoop.stdoutSafe("Step 1/2 : FROM x"));
        assertEquals(" portainer-executor: printed by a RUN step",
                ExecutorLoop.stdoutSafe("portainer-executor: printed by a RUN step"));
        assertEquals("two lines in one", ExecutorLoop.stdoutSafe("two lines\nin one").replace("  ", " "));
        assertFalse(ExecutorLoop.stdoutSafe("a\nb").contains("\n"));
        assertEquals("printed for Windows", ExecutorLoop.stdoutSafe("printed for Windows\r\r"),
                "a trailing CR, which shows nothing, would pass for the mark of a progress line");
        assertEquals("a\rb", ExecutorLoop.stdoutSafe("a\rb"));
    }
}
