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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
    /** The directory each build of an executor of several tasks was given, by image. */
    private final java.util.Map<String, Path> buildDirectories = new java.util.concurrent.ConcurrentHashMap<>();

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
                dockerHost -> (spec, dir, context) -> new ScriptedBuild(List.of("building-marker")));

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

    // ---- an executor of several tasks ----

    @Test
    void twoTasksLaunchedOneAfterTheOtherRunTogetherEachWithItsOwnUpdatesResultLogAndFrames() throws Exception {
        ScriptedBuild first = new ScriptedBuild(List.of("one-a", "one-b"));
        first.hold = new CountDownLatch(1);
        ScriptedBuild second = new ScriptedBuild(List.of("two-a", "two-b", "two-c"));
        second.progress = Set.of(1);
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", spec("one").toBytes()));
        CompletableFuture<Integer> exit = startSeveral(Clock.systemUTC(),
                java.util.Map.of(spec("one"), first, spec("two"), second));
        update("task-1", TaskState.TASK_RUNNING);

        agent.afterSubscribed = null;
        agent.send(FakeAgent.launch(FakeAgent.task("task-2", spec("two").toBytes())));
        TaskStatus secondDone = update("task-2", TaskState.TASK_FINISHED);
        assertFalse(first.cancelled || exit.isDone(), "the first task runs on while the second one ends");
        first.hold.countDown();
        TaskStatus firstDone = update("task-1", TaskState.TASK_FINISHED);

        assertEquals(2, TaskResult.fromBytes(firstDone.getData().toByteArray()).logLines());
        assertEquals(3, TaskResult.fromBytes(secondDone.getData().toByteArray()).logLines(), "counted per task");
        for (String task : List.of("task-1", "task-2")) {
            List<TaskState> states = agent.history.stream().filter(c -> c.getType() == Call.Type.UPDATE)
                    .map(c -> c.getUpdate().getStatus()).filter(s -> s.getTaskId().getValue().equals(task))
                    .map(TaskStatus::getState).toList();
            assertEquals(List.of(TaskState.TASK_STARTING, TaskState.TASK_RUNNING, TaskState.TASK_FINISHED), states,
                    task);
        }
        assertEquals(sandbox.resolve("tasks/task-1"), buildDirectories.get(spec("one").image()),
                "each task builds in a directory of its own (an ephemeral daemon keeps its data there)");
        assertEquals(sandbox.resolve("tasks/task-2"), buildDirectories.get(spec("two").image()));
        assertEquals(List.of("one-a", "one-b"), framedLines("task-1"));
        assertEquals(List.of("two-a", "two-b", "two-c"), framedLines("task-2"));
        assertEquals("one-a\none-b\n", Files.readString(sandbox.resolve("tasks/task-1/stdout")));
        assertEquals("two-a\ntwo-b\r\ntwo-c\n", Files.readString(sandbox.resolve("tasks/task-2/stdout")),
                "each task's file keeps the stdout contract, progress mark included");
        awaitStdout("no task left");
        assertEquals(List.of(), stdout().lines().filter(l -> !l.startsWith(ExecutorLoop.NOTE_PREFIX)).toList(),
                "the executor's stdout holds its notes only");
        assertTrue(stdout().contains(ExecutorLoop.NOTE_PREFIX + "task-2: TASK_FINISHED"), stdout());

        agent.send(shutdown());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aKillStopsOnlyTheTaskItNamesAndTheOtherRunsToFinished() throws Exception {
        ScriptedBuild first = new ScriptedBuild(List.of("one-a"));
        first.hold = new CountDownLatch(1);
        ScriptedBuild second = new ScriptedBuild(List.of("two-a"));
        second.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = startTwo(first, second);

        agent.send(FakeAgent.kill("task-1"));
        TaskStatus killed = update("task-1", TaskState.TASK_KILLED);
        assertTrue(killed.getMessage().contains("at the scheduler's request"), killed.getMessage());
        assertTrue(first.cancelled);
        assertFalse(second.cancelled, "the other build goes on");
        second.hold.countDown();
        TaskStatus finished = update("task-2", TaskState.TASK_FINISHED);
        assertEquals(BUILT.imageId(), TaskResult.fromBytes(finished.getData().toByteArray()).imageId());

        agent.send(shutdown());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void shutdownKillsEveryRunningTaskAndExitsOnceTheirUpdatesAreAcknowledged() throws Exception {
        ScriptedBuild first = new ScriptedBuild(List.of());
        first.hold = new CountDownLatch(1);
        ScriptedBuild second = new ScriptedBuild(List.of());
        second.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = startTwo(first, second);

        agent.send(shutdown());
        for (String task : List.of("task-1", "task-2")) {
            TaskStatus killed = update(task, TaskState.TASK_KILLED);
            assertTrue(killed.getMessage().contains("shut the executor down"), killed.getMessage());
        }
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertTrue(first.cancelled && second.cancelled, "both builds were told to stop");
        assertTrue(stdout().contains("every task is done; exiting"), stdout());
    }

    @Test
    void aLaunchAfterShutdownIsRefusedAndTheExecutorStillExitsOnceTheKilledTasksAreAcknowledged() throws Exception {
        ScriptedBuild first = new ScriptedBuild(List.of());
        first.hold = new CountDownLatch(1);
        ScriptedBuild second = new ScriptedBuild(List.of());
        second.hold = new CountDownLatch(1);
        // A clock that stands still: the shutdown grace cannot end while the test takes its time.
        CompletableFuture<Integer> exit = startTwo(new MutableClock(), first, second);
        agent.autoAcknowledge = false;

        agent.send(shutdown());
        TaskStatus killed1 = update("task-1", TaskState.TASK_KILLED);
        TaskStatus killed2 = update("task-2", TaskState.TASK_KILLED);
        agent.send(FakeAgent.launch(FakeAgent.task("task-3", spec("one").toBytes())));
        TaskStatus refused = update("task-3", TaskState.TASK_FAILED);
        assertEquals("This Portainer executor is shutting down; launch the build on another executor",
                refused.getMessage());
        assertFalse(exit.isDone(), "the killed tasks' updates are not acknowledged yet");
        agent.send(FakeAgent.acknowledged(killed1));
        agent.send(FakeAgent.acknowledged(killed2));
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void exitsOnceItHasHadNoTaskForTheIdleTimeAfterTheLastAcknowledgement() throws Exception {
        MutableClock clock = new MutableClock();
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", spec("one").toBytes()));
        CompletableFuture<Integer> exit = startSeveral(clock,
                java.util.Map.of(spec("one"), new ScriptedBuild(List.of("one-a"))));
        update("task-1", TaskState.TASK_FINISHED);
        awaitStdout("no task left; exiting unless one is launched within 60 s");

        clock.advance(Duration.ofSeconds(59));
        agent.send(FakeAgent.kill("nobody")); // any event: the loop checks its timers once it handled it
        awaitStdout("ignoring KILL for unknown task nobody");
        assertFalse(exit.isDone(), "59 s without a task is not the idle time yet");

        clock.advance(Duration.ofSeconds(2));
        agent.send(heartbeat());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertTrue(stdout().contains("no task for 60 s; exiting"), stdout());
    }

    @Test
    void aLaunchDuringTheIdleTimeKeepsTheExecutorUntilThatTaskIsDoneToo() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedBuild second = new ScriptedBuild(List.of("two-a"));
        second.hold = new CountDownLatch(1);
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", spec("one").toBytes()));
        CompletableFuture<Integer> exit = startSeveral(clock,
                java.util.Map.of(spec("one"), new ScriptedBuild(List.of("one-a")), spec("two"), second));
        update("task-1", TaskState.TASK_FINISHED);
        awaitStdout("no task left");

        clock.advance(Duration.ofSeconds(30));
        agent.afterSubscribed = null;
        agent.send(FakeAgent.launch(FakeAgent.task("task-2", spec("two").toBytes())));
        update("task-2", TaskState.TASK_RUNNING);
        clock.advance(Duration.ofSeconds(40)); // past the first idle time's end, while the second task runs
        agent.send(FakeAgent.kill("nobody"));
        awaitStdout("ignoring KILL for unknown task nobody");
        assertFalse(exit.isDone(), "a task runs: no idle exit");

        second.hold.countDown();
        update("task-2", TaskState.TASK_FINISHED);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (stdout().split("no task left", -1).length < 3) { // said again once task-2 is done too
            assertTrue(System.nanoTime() < end, stdout());
            Thread.sleep(5);
        }
        clock.advance(Duration.ofSeconds(61));
        agent.send(heartbeat());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("two-a"), framedLines("task-2"));
    }

    @Test
    void resubscribingCarriesEveryUnacknowledgedTaskAndUpdate() throws Exception {
        agent.autoAcknowledge = false;
        ScriptedBuild first = new ScriptedBuild(List.of());
        first.hold = new CountDownLatch(1);
        ScriptedBuild second = new ScriptedBuild(List.of());
        second.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = startTwo(first, second);
        List<TaskStatus> sent = List.of(update("task-1", TaskState.TASK_STARTING),
                update("task-1", TaskState.TASK_RUNNING), update("task-2", TaskState.TASK_STARTING),
                update("task-2", TaskState.TASK_RUNNING));
        agent.send(FakeAgent.acknowledged(sent.get(0))); // task-1 is acknowledged; task-2 is not
        awaitStdout("task-2: TASK_RUNNING");
        agent.afterSubscribed = null;
        agent.dropSubscription();

        Call.Subscribe resubscribe = secondSubscribe();
        assertEquals(List.of("task-2"), resubscribe.getUnacknowledgedTasksList().stream()
                .map(t -> t.getTaskId().getValue()).toList());
        assertEquals(sent.subList(1, 4).stream().map(TaskStatus::getUuid).collect(java.util.stream.Collectors.toSet()),
                resubscribe.getUnacknowledgedUpdatesList().stream().map(u -> u.getStatus().getUuid())
                        .collect(java.util.stream.Collectors.toSet()));

        agent.autoAcknowledge = true;
        agent.send(shutdown());
        update("task-1", TaskState.TASK_KILLED);
        update("task-2", TaskState.TASK_KILLED);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS), "the final updates are acknowledged: nothing else waits");
    }

    @Test
    void readsAContextByFileUriInPlaceAndByHttpIntoTheTasksDirectoryAndAFailedFetchFailsThatTaskOnly()
            throws Exception {
        Path local = Files.writeString(sandbox.resolve("shared-context.tar"), "context by path");
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ctx.tar", exchange -> {
            byte[] body = "context by http".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        BuildSpec byPath = spec("one").withContextUri(local.toUri().toString());
        BuildSpec byHttp = spec("two").withContextUri(base + "/ctx.tar");
        BuildSpec missing = spec("three").withContextUri(base + "/gone.tar");
        java.util.Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        ImageBuilds builds = (spec, dir, context) -> new ImageBuild() {
            @Override
            public ImageBuildResult run(BuildLog log) throws ImageBuildException {
                try {
                    seen.put(spec.image(), context + " = " + Files.readString(context));
                } catch (java.io.IOException e) {
                    throw new ImageBuildException("no context: " + e, null, e);
                }
                return BUILT;
            }

            @Override
            public void cancel() {
            }
        };
        try {
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", byPath.toBytes()));
            CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)).withSeveralTasks(
                    Duration.ofMinutes(1)), builds, Clock.systemUTC());
            update("task-1", TaskState.TASK_FINISHED);
            agent.afterSubscribed = null;
            agent.send(FakeAgent.launch(FakeAgent.task("task-2", byHttp.toBytes())));
            agent.send(FakeAgent.launch(FakeAgent.task("task-3", missing.toBytes())));
            update("task-2", TaskState.TASK_FINISHED);
            TaskStatus failed = update("task-3", TaskState.TASK_FAILED);

            assertEquals(local + " = context by path", seen.get(byPath.image()), "read in place");
            Path fetched = sandbox.resolve("tasks/task-2/context.tar.gz");
            assertEquals(fetched + " = context by http", seen.get(byHttp.image()));
            assertFalse(Files.exists(fetched), "deleted once the build ended");
            assertTrue(Files.exists(local), "a context read in place is not the executor's to delete");
            assertEquals("Cannot fetch the build context from " + base + "/gone.tar: HTTP 404 (the scheduler serves "
                    + "it for the length of the build; did the Maven build end?)", failed.getMessage());
            assertTrue(TaskResult.fromBytes(failed.getData().toByteArray()).failed());
            assertFalse(seen.containsKey(missing.image()), "nothing built without its context");

            agent.send(shutdown());
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void credentialsInTheSandboxFailTheTaskOfAnExecutorOfSeveralTasksAsTheSchedulersBug() throws Exception {
        BuildSpec withFile = spec("one").withCredentials(new dev.portainer.wire.CredentialsRef(null,
                "credentials-1.sealed", "a2V5"));
        ScriptedBuild build = new ScriptedBuild(List.of());
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", withFile.toBytes()));
        CompletableFuture<Integer> exit = startSeveral(Clock.systemUTC(), java.util.Map.of(withFile, build));

        TaskStatus failed = update("task-1", TaskState.TASK_FAILED);
        assertTrue(failed.getMessage().contains("credentials-1.sealed"), failed.getMessage());
        assertTrue(failed.getMessage().contains("a scheduler bug"), failed.getMessage());
        assertFalse(build.ran);
        agent.send(shutdown());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anExecutorOfOneTaskStillRefusesASecondTask() throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", SPEC.toBytes()));
        ScriptedBuild build = new ScriptedBuild(List.of("one-a"));
        build.hold = new CountDownLatch(1);
        CompletableFuture<Integer> exit = start(settings(Duration.ofMinutes(1)), build);
        update("task-1", TaskState.TASK_RUNNING);

        agent.afterSubscribed = null;
        agent.send(FakeAgent.launch(FakeAgent.task("task-2", SPEC.toBytes())));
        TaskStatus refused = update("task-2", TaskState.TASK_FAILED);
        assertEquals("This Portainer executor already runs task task-1; launch each build with its own executor",
                refused.getMessage());
        build.hold.countDown();
        update("task-1", TaskState.TASK_FINISHED);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("one-a"), framedLines(), "its frames name no task");
        assertFalse(Files.exists(sandbox.resolve("tasks")), "and its log is stdout");
    }

    private static BuildSpec spec(String name) {
        return BuildSpec.of("127.0.0.1:5000/team/" + name, List.of("1.0"), "Dockerfile", "context.tar.gz", true, null);
    }

    /** Task-1 and task-2 launched on an executor of several tasks, both running. */
    private CompletableFuture<Integer> startTwo(ScriptedBuild first, ScriptedBuild second) throws Exception {
        return startTwo(Clock.systemUTC(), first, second);
    }

    private CompletableFuture<Integer> startTwo(Clock clock, ScriptedBuild first, ScriptedBuild second)
            throws Exception {
        agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("task-1", spec("one").toBytes()));
        CompletableFuture<Integer> exit = startSeveral(clock,
                java.util.Map.of(spec("one"), first, spec("two"), second));
        update("task-1", TaskState.TASK_RUNNING);
        agent.afterSubscribed = null;
        agent.send(FakeAgent.launch(FakeAgent.task("task-2", spec("two").toBytes())));
        update("task-2", TaskState.TASK_RUNNING);
        return exit;
    }

    /** An executor of several tasks, idle for a minute at most, building each spec with its scripted build. */
    private CompletableFuture<Integer> startSeveral(Clock clock, java.util.Map<BuildSpec, ScriptedBuild> scripted) {
        ImageBuilds builds = (spec, dir, context) -> {
            buildDirectories.put(spec.image(), dir);
            assertEquals(sandbox.resolve(spec.contextFile()), context, "fetched into the sandbox with the executor");
            ScriptedBuild build = scripted.get(spec);
            if (build == null) {
                throw new AssertionError("unexpected spec " + spec);
            }
            return build;
        };
        return start(settings(Duration.ofMinutes(1)).withSeveralTasks(Duration.ofMinutes(1)), builds, clock);
    }

    private CompletableFuture<Integer> start(ExecutorSettings settings, ImageBuilds builds, Clock clock) {
        ExecutorLoop loop = new ExecutorLoop(settings, new AgentClient(settings.agentEndpoint(), false), builds,
                clock, UUID::randomUUID, new PrintStream(new java.io.BufferedOutputStream(stdout, 1 << 16), false,
                StandardCharsets.UTF_8), LogChannel.DEFAULT_CAPACITY_BYTES);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return loop.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The first update of {@code task} in {@code state} the agent received, waiting for it. */
    private TaskStatus update(String task, TaskState state) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            for (Call call : agent.history) {
                if (call.getType() == Call.Type.UPDATE && call.getUpdate().getStatus().getState() == state
                        && call.getUpdate().getStatus().getTaskId().getValue().equals(task)) {
                    return call.getUpdate().getStatus();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no " + state + " of " + task + ": " + stdout());
    }

    /** The executor's second SUBSCRIBE, waiting for it. */
    private Call.Subscribe secondSubscribe() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            List<Call> subscribes = agent.history.stream().filter(c -> c.getType() == Call.Type.SUBSCRIBE).toList();
            if (subscribes.size() >= 2) {
                return subscribes.get(1).getSubscribe();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no second SUBSCRIBE: " + stdout());
    }

    /** Waits until the executor's stdout (flushed whenever its loop is idle) holds {@code text}. */
    private void awaitStdout(String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!stdout().contains(text)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("never printed '" + text + "': " + stdout());
            }
            Thread.sleep(5);
        }
    }

    /** The lines of the frames naming {@code task}, in order; fails unless they are numbered from 0 without gaps. */
    private List<String> framedLines(String task) {
        List<String> lines = new ArrayList<>();
        for (Call call : agent.history) {
            if (call.getType() == Call.Type.MESSAGE) {
                LogFrame frame = LogFrame.fromBytes(call.getMessage().getData().toByteArray());
                assertTrue(frame.taskId() != null, "every frame of an executor of several tasks names its task");
                if (frame.taskId().equals(task)) {
                    assertEquals(lines.size(), frame.seq(), task + "'s frames follow each other: " + lines);
                    lines.addAll(frame.lines());
                }
            }
        }
        return lines;
    }

    private static org.apache.mesos.v1.executor.Protos.Event shutdown() {
        return org.apache.mesos.v1.executor.Protos.Event.newBuilder()
                .setType(org.apache.mesos.v1.executor.Protos.Event.Type.SHUTDOWN).build();
    }

    private static org.apache.mesos.v1.executor.Protos.Event heartbeat() {
        return org.apache.mesos.v1.executor.Protos.Event.newBuilder()
                .setType(org.apache.mesos.v1.executor.Protos.Event.Type.HEARTBEAT).build();
    }

    /** A clock the test moves on by hand: the idle time passes without waiting for it. */
    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-06T12:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
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
        ImageBuilds builds = (spec, dir, context) -> {
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
