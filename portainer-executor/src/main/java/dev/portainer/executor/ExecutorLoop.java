package dev.portainer.executor;

import dev.portainer.wire.mesos.MesosUuids;

import com.google.protobuf.ByteString;
import dev.portainer.wire.mesos.RecordIo;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.ExecutorStdout;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskProgress;
import dev.portainer.wire.TaskResult;
import dev.portainer.wire.WireFormatException;
import dev.portainer.executor.agent.AgentCallException;
import dev.portainer.executor.agent.AgentClient;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ContextFromUri;
import dev.portainer.executor.build.ImageBuild;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.executor.build.ImageBuildResult;
import dev.portainer.executor.build.ImageBuilds;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;

/**
 * The executor as one event loop: a single thread takes every input (agent events, the subscription's end, the
 * build's output and outcome, failed calls) from one queue and owns all state, as Mesos's own executor library does.
 * Other threads only read the subscription stream, run the build, and send calls; they talk to the loop by queueing.
 *
 * <p>Status updates and the build log go to the agent on separate threads (so on separate connections): an update
 * never waits behind log frames, however much the build prints. Log lines are printed to stdout (the sandbox's copy,
 * the source of truth) and handed to the {@link LogChannel}, which sends them in frames of many lines, or leaves them
 * to the scheduler's read-back when it cannot keep up.
 *
 * <p>An executor of several tasks ({@link ExecutorSettings#severalTasks}) is the same loop with a {@link TaskRun} per
 * task: each has its own state, build, push gate and log (in its own file, its frames naming it), and the executor
 * exits once it has had no task for the idle time rather than after its first task's final acknowledgement.
 */
public final class ExecutorLoop {
    /** Executor progress lines carry this prefix on stdout; every other stdout line is a build log line, in order. */
    public static final String NOTE_PREFIX = dev.portainer.wire.ExecutorStdout.NOTE_PREFIX;
    /** Longest {@code TaskStatus.message}: enough for Docker's error, short enough for the master's memory. */
    static final int MAX_STATUS_MESSAGE = 2000;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration UPDATE_RETRY = Duration.ofSeconds(1);
    /**
     * How long one SUBSCRIBE may take to be answered before it counts as failed, even when no recovery is allowed:
     * an agent that accepts the connection but never answers is as good as gone.
     */
    static final Duration SUBSCRIBE_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    /** Build lines printed but not yet flushed to stdout and handed to the log channel, at most; and their bytes. */
    private static final int PENDING_LINES = 4096;
    private static final int PENDING_BYTES = 32 * 1024;
    /**
     * Once the executor is done, the last log frames may keep leaving as long as one goes every second, for a minute
     * in all: each one the scheduler need not read back from the sandbox.
     */
    private static final long LOG_IDLE_MILLIS = 1_000;
    private static final long LOG_CLOSE_MILLIS = 60_000;
    /** Per task's own log file among several tasks: smaller than stdout's, as several are open at once. */
    private static final int TASK_LOG_BUFFER = 16 * 1024;

    private sealed interface Input {
    }

    private record AgentEvent(int generation, Event event) implements Input {
    }

    private record SubscriptionEnded(int generation, String reason, boolean permanent) implements Input {
    }

    private record UpdateFailed(UUID uuid, String reason, boolean permanent) implements Input {
    }

    private record BuildStarted(TaskRun run) implements Input {
    }

    private record BuildLine(TaskRun run, String line, LogFrame.Kind kind) implements Input {
    }

    /** Lines that came together (one chunk of Docker's stream): one input rather than hundreds. */
    private record BuildLines(TaskRun run, List<String> lines) implements Input {
    }

    private record BuildEnded(TaskRun run, ImageBuildResult result, ImageBuildException failure) implements Input {
    }

    /** The build is about to push; {@code go} says whether it may (once the scheduler is sure to hear of it). */
    private record PushStarting(TaskRun run, CompletableFuture<Boolean> go) implements Input {
    }

    private enum Connection { SUBSCRIBING, SUBSCRIBED, WAITING_TO_RETRY }

    private final ExecutorSettings settings;
    private final AgentClient agent;
    private final ImageBuilds builds;
    private final Clock clock;
    private final Supplier<UUID> uuids;
    private final PrintStream out;
    private final BlockingQueue<Input> inputs = new LinkedBlockingQueue<>();
    /** One thread keeps the updates in order and HTTP off the loop; log frames have their own, in {@link #log}. */
    private final ExecutorService updates = Executors.newSingleThreadExecutor(daemon("agent-updates"));
    private final long logCapacityBytes;
    private LogChannel log;

    // Everything below is owned by the loop thread.
    private final ExecutorID executorId;
    private final FrameworkID frameworkId;
    private final Map<UUID, Call.Update> unacknowledged = new LinkedHashMap<>();
    /** The updates the current SUBSCRIBE carried; any other unacknowledged one must be posted once subscribed. */
    private Set<UUID> carriedBySubscribe = Set.of();
    private Connection connection;
    private Subscription subscription;
    private int generation;
    private Duration backoff = FIRST_BACKOFF;
    private Instant retryAt;
    private Instant recoveryDeadline;
    /** When the SUBSCRIBE under way counts as failed, if the recovery deadline has passed by then. */
    private Instant attemptDeadline;
    private Instant resendAt;
    /**
     * The tasks not done yet, in launch order: an executor of one task keeps its task here until it exits; one of
     * several drops a task once its terminal update is acknowledged.
     */
    private final Map<String, TaskRun> tasks = new LinkedHashMap<>();
    /** The task an executor of one task was launched with, which any other LAUNCH is refused for. */
    private TaskRun onlyTask;
    /** When SHUTDOWN's grace ends (or, for an executor of one task, its final update counts as unacknowledged). */
    private Instant exitDeadline;
    /** When an executor of several tasks, with none left, exits; null while it has one. */
    private Instant idleDeadline;
    private boolean shuttingDown;
    private Integer exitCode;

    public ExecutorLoop(ExecutorSettings settings, AgentClient agent, ImageBuilds builds, Clock clock,
                        Supplier<UUID> uuids, PrintStream out) {
        this(settings, agent, builds, clock, uuids, out, LogChannel.DEFAULT_CAPACITY_BYTES);
    }

    /**
     * @param out              stdout in the sandbox; buffering it is fine: the loop flushes it whenever it is idle,
     *                         and before a line's frame or any status update leaves
     * @param logCapacityBytes the log channel's queue, in estimated bytes of heap
     */
    ExecutorLoop(ExecutorSettings settings, AgentClient agent, ImageBuilds builds, Clock clock,
                 Supplier<UUID> uuids, PrintStream out, long logCapacityBytes) {
        this.logCapacityBytes = logCapacityBytes;
        this.settings = settings;
        this.agent = agent;
        this.builds = builds;
        this.clock = clock;
        this.uuids = uuids;
        this.out = out;
        this.executorId = ExecutorID.newBuilder().setValue(settings.executorId()).build();
        this.frameworkId = FrameworkID.newBuilder().setValue(settings.frameworkId()).build();
    }

    /**
     * Subscribes, runs the launched build, and returns once the terminal update is acknowledged (0), or when the
     * executor has to give up (1: agent lost for longer than the recovery timeout, or refused the subscription). A
     * build the executor gives up on is cancelled first: nobody could be told its outcome, and it must not push.
     * An executor of several tasks runs every task it is launched with and returns 0 once it has had none left for
     * the idle time, or after SHUTDOWN.
     */
    public int run() throws InterruptedException {
        recoveryDeadline = clock.instant().plus(settings.recoveryTimeout());
        note("subscribing to the agent at " + agent.endpoint() + " as executor " + settings.executorId()
                + " of framework " + settings.frameworkId());
        if (settings.severalTasks()) {
            note("this executor runs several tasks, each with its log in " + ExecutorStdout.TASKS_DIRECTORY
                    + "/<task id>/" + ExecutorStdout.FILE + "; it exits after " + seconds(settings.idleTimeout())
                    + " s with no task");
            idleDeadline = clock.instant().plus(settings.idleTimeout());
        }
        log = new LogChannel(this::sendFrame, this::note, logCapacityBytes);
        subscribe();
        try {
            while (exitCode == null) {
                Input input = inputs.poll();
                if (input == null) {
                    flushLog(); // idle: what was printed goes to the file and on to the scheduler
                    input = inputs.poll(millisUntilNextDeadline(), TimeUnit.MILLISECONDS);
                }
                if (input != null) {
                    handle(input);
                    if (pendingTooMuch()) {
                        flushLog();
                    }
                }
                if (exitCode == null) {
                    onTimers(clock.instant());
                }
            }
        } finally {
            cancelAll();
            if (subscription != null) {
                subscription.close();
            }
            flushLog();
            updates.shutdown();
            // Give the last log frames a moment to leave; they are best effort anyway, and in the sandbox's stdout.
            log.close(LOG_IDLE_MILLIS, LOG_CLOSE_MILLIS);
            updates.awaitTermination(1, TimeUnit.SECONDS);
            out.flush();
        }
        return exitCode;
    }

    // ---- inputs ----

    private void handle(Input input) {
        // Java 17 has no pattern switch yet; the sealed interface still documents the complete set of inputs.
        if (input instanceof AgentEvent e) {
            if (e.generation() == generation) {
                onEvent(e.event());
            }
        } else if (input instanceof SubscriptionEnded e) {
            if (e.generation() == generation) {
                onDisconnected(e.reason(), e.permanent());
            }
        } else if (input instanceof UpdateFailed f) {
            onUpdateFailed(f);
        } else if (input instanceof BuildStarted b) {
            onBuildStarted(b.run());
        } else if (input instanceof BuildLine l) {
            onBuildLine(l.run(), l.line(), l.kind());
        } else if (input instanceof BuildLines l) {
            for (String line : l.lines()) {
                onBuildLine(l.run(), line, LogFrame.Kind.OUTPUT);
            }
        } else if (input instanceof BuildEnded e) {
            onBuildEnded(e.run(), e.result(), e.failure());
        } else if (input instanceof PushStarting p) {
            onPushStarting(p.run(), p.go());
        }
    }

    private void onEvent(Event event) {
        switch (event.getType()) {
            case SUBSCRIBED -> onSubscribed(event.getSubscribed());
            case LAUNCH -> onLaunch(event.getLaunch().getTask());
            case LAUNCH_GROUP -> note("ignoring LAUNCH_GROUP: task groups need Mesos's default executor, not this one");
            case KILL -> onKill(event.getKill().getTaskId().getValue());
            case ACKNOWLEDGED -> onAcknowledged(event.getAcknowledged());
            case MESSAGE -> note("ignoring a " + event.getMessage().getData().size()
                    + "-byte message from the scheduler");
            case SHUTDOWN -> onShutdown();
            case ERROR -> {
                // Mesos's advice for ERROR: drop the subscription and subscribe again.
                note("the agent reported an error: " + event.getError().getMessage());
                dropSubscription("the agent sent ERROR");
            }
            case HEARTBEAT -> {
            }
            default -> note("ignoring an event of unknown type " + event.getType());
        }
    }

    private void onSubscribed(Event.Subscribed subscribed) {
        connection = Connection.SUBSCRIBED;
        backoff = FIRST_BACKOFF;
        recoveryDeadline = null;
        retryAt = null;
        note("subscribed to agent " + subscribed.getAgentInfo().getHostname()
                + (carriedBySubscribe.isEmpty() ? "" : "; " + carriedBySubscribe.size()
                + " unacknowledged update(s) resent with SUBSCRIBE"));
        // An update made while SUBSCRIBE was under way (the build may end at any moment) is in neither place yet.
        unacknowledged.forEach((uuid, update) -> {
            if (!carriedBySubscribe.contains(uuid)) {
                postUpdate(uuid, update);
            }
        });
        for (TaskRun run : tasks.values()) {
            if (run.isTerminal()) {
                if (settings.severalTasks()) {
                    run.ackDeadline = clock.instant().plus(ackTimeout());
                } else {
                    exitDeadline = clock.instant().plus(ackTimeout());
                }
            }
        }
    }

    private void onLaunch(TaskInfo launched) {
        String id = launched.getTaskId().getValue();
        if (onlyTask != null) {
            // The scheduler launches one executor per build; a second task here is a scheduler bug, refuse it.
            sendUntracked(launched, TaskState.TASK_FAILED, "This Portainer executor already runs task "
                    + onlyTask.id + "; launch each build with its own executor");
            return;
        }
        if (tasks.containsKey(id)) {
            note("ignoring a second LAUNCH of task " + id + ", which runs already");
            return;
        }
        if (shuttingDown) {
            // An agent sends none after SHUTDOWN; one that did would see its build cut short by the grace's end.
            sendUntracked(launched, TaskState.TASK_FAILED, "This Portainer executor is shutting down; launch the "
                    + "build on another executor");
            return;
        }
        TaskRun run;
        String logProblem = null;
        if (settings.severalTasks()) {
            try {
                run = new TaskRun(launched, id, openTaskLog(id), true);
            } catch (IllegalArgumentException | IOException e) {
                // An id that names no directory, a full disk: this task fails, the others go on.
                logProblem = "Cannot open the task's log in the sandbox: " + describe(e);
                run = new TaskRun(launched, id, new PrintStream(OutputStream.nullOutputStream()), true);
            }
        } else {
            run = new TaskRun(launched, null, out, false);
            onlyTask = run;
        }
        tasks.put(id, run);
        idleDeadline = null;
        note("launched task " + id);
        sendUpdate(run, TaskState.TASK_STARTING, null, null);
        if (logProblem != null) {
            sendTerminal(run, TaskState.TASK_FAILED, logProblem, TaskResult.failure(logProblem, null, 0));
            return;
        }
        BuildSpec spec;
        try {
            spec = BuildSpec.fromBytes(launched.getData().toByteArray());
        } catch (WireFormatException e) {
            sendTerminal(run, TaskState.TASK_FAILED, e.getMessage(), TaskResult.failure(e.getMessage(), null, 0));
            return;
        }
        note(run, spec.pushOnly() ? "pushing " + spec.imageId() + " as " + spec.tags().size() + " tag(s) of "
                + spec.image() : "building " + spec.image() + ":" + spec.tags().get(0) + " from "
                + (spec.contextUri() != null ? spec.contextUri() : spec.contextFile())
                + (spec.push() ? ", then pushing " + spec.tags().size() + " tag(s)" : ""));
        if (settings.severalTasks() && spec.credentials() != null && spec.credentials().sandboxFile() != null) {
            // The fetcher runs only when the executor starts: a later task's file would never be there.
            String error = "Cannot prepare the build: its registry credentials are named as the sandbox file "
                    + spec.credentials().sandboxFile() + ", but this executor runs several tasks and gets no Mesos "
                    + "fetch for them; the scheduler must serve them by URL (a scheduler bug)";
            sendTerminal(run, TaskState.TASK_FAILED, error, TaskResult.failure(error, null, 0));
            return;
        }
        try {
            Path context = spec.contextUri() == null ? ImageBuilds.fetchedContext(spec, settings.sandbox())
                    : ContextFromUri.contextPath(spec, taskDirectory(id));
            // Among several tasks, each has a directory of its own: two ephemeral daemons cannot share a data root.
            ImageBuild build = builds.create(spec, settings.severalTasks() ? taskDirectory(id) : settings.sandbox(),
                    context);
            run.build = spec.contextUri() == null ? build : ContextFromUri.of(spec, context, build);
        } catch (RuntimeException e) {
            String error = "Cannot prepare the build: " + e.getMessage();
            sendTerminal(run, TaskState.TASK_FAILED, error, TaskResult.failure(error, null, run.nextSeq));
            return;
        }
        TaskRun started = run;
        ImageBuild running = run.build;
        Thread worker = new Thread(() -> runBuild(started, running),
                settings.severalTasks() ? "image-build-" + id : "image-build");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * The build log of task {@code id} of an executor of several tasks: its own file, {@link ExecutorStdout#taskFile},
     * UTF-8 and buffered like stdout (the loop flushes it before a line's frame or the task's update leaves).
     *
     * @throws IllegalArgumentException for an id that cannot name a directory
     */
    private PrintStream openTaskLog(String id) throws IOException {
        Path file = settings.sandbox().resolve(ExecutorStdout.taskFile(id));
        Files.createDirectories(file.getParent());
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(file.toFile(), true), TASK_LOG_BUFFER),
                false, StandardCharsets.UTF_8);
    }

    private Path taskDirectory(String id) {
        return settings.sandbox().resolve(ExecutorStdout.taskFile(id)).getParent();
    }

    /** Runs on the worker thread: everything it learns goes back to the loop through the queue. */
    private void runBuild(TaskRun run, ImageBuild running) {
        inputs.add(new BuildStarted(run));
        BuildLog report = new BuildLog() {
            @Override
            public void line(String line) {
                inputs.add(new BuildLine(run, line, LogFrame.Kind.OUTPUT));
            }

            @Override
            public void progress(String line) {
                inputs.add(new BuildLine(run, line, LogFrame.Kind.PROGRESS));
            }

            @Override
            public void lines(List<String> lines) {
                inputs.add(new BuildLines(run, lines));
            }

            @Override
            public void beforePush() throws InterruptedException {
                CompletableFuture<Boolean> go = new CompletableFuture<>();
                inputs.add(new PushStarting(run, go));
                try {
                    if (!go.get()) {
                        throw new InterruptedException("the task is being stopped: no push");
                    }
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        };
        try {
            ImageBuildResult result = running.run(report);
            inputs.add(new BuildEnded(run, result, null));
        } catch (ImageBuildException e) {
            inputs.add(new BuildEnded(run, null, e));
        } catch (InterruptedException e) {
            inputs.add(new BuildEnded(run, null, new ImageBuildException("The build was interrupted", null, e)));
        } catch (RuntimeException e) {
            inputs.add(new BuildEnded(run, null, new ImageBuildException("The executor failed unexpectedly: " + e,
                    null, e)));
        }
    }

    private void onBuildStarted(TaskRun run) {
        if (run.phase == TaskRun.Phase.STARTING) {
            run.phase = TaskRun.Phase.RUNNING;
            sendUpdate(run, TaskState.TASK_RUNNING, null, null);
        }
    }

    private void onBuildLine(TaskRun run, String text, LogFrame.Kind kind) {
        if (run.isTerminal()) {
            return; // after TASK_KILLED went out on the kill deadline: the result already says how many lines there were
        }
        run.print(text, kind, connection == Connection.SUBSCRIBED, log);
    }

    /** Whether the lines printed but not handed to the channel reach the bound, over all tasks. */
    private boolean pendingTooMuch() {
        int lines = 0;
        int bytes = 0;
        for (TaskRun run : tasks.values()) {
            lines += run.pendingLines();
            bytes += run.pendingBytes();
        }
        return lines >= PENDING_LINES || bytes >= PENDING_BYTES;
    }

    /**
     * Flushes every task's log, then hands the lines printed since to the log channel (see {@link TaskRun#flush}),
     * and the executor's own notes to stdout.
     */
    private void flushLog() {
        for (TaskRun run : tasks.values()) {
            run.flush(log);
        }
        out.flush();
    }

    /** Runs on the log channel's thread. */
    private void sendFrame(byte[] frame) throws IOException {
        agent.call(call(Call.Type.MESSAGE).setMessage(Call.Message.newBuilder()
                .setData(ByteString.copyFrom(frame))).build());
    }

    /**
     * The build is about to push. Before it may, the scheduler must be sure to learn of it whatever happens next (the
     * executor dying mid-push, the final update lost): a running update saying so, released once acknowledged. A
     * scheduler that heard it never runs the build again, since that would push again.
     */
    private void onPushStarting(TaskRun run, CompletableFuture<Boolean> go) {
        if (run.phase != TaskRun.Phase.RUNNING) {
            go.complete(false); // being killed
            return;
        }
        if (run.pushUpdate != null) {
            // Said already: one update covers every push of the task, and this one waits for the same acknowledgement.
            if (run.pushGate == null) {
                go.complete(true);
            } else {
                run.pushGate.thenAccept(go::complete);
            }
            return;
        }
        run.pushGate = go;
        run.pushUpdate = sendUpdate(run, TaskState.TASK_RUNNING, "pushing", TaskProgress.pushingNow().toBytes());
    }

    /** Stops every build: nobody will hear of them, or the executor is exiting. */
    private void cancelAll() {
        for (TaskRun run : tasks.values()) {
            run.releasePush();
            if (run.build != null) {
                run.build.cancel();
            }
        }
    }

    /**
     * Keeps {@link ExecutorStdout}'s contract, on which the scheduler's recovery of lost frames relies: one build line
     * is one stdout line, and never looks like the executor's note.
     */
    static String stdoutSafe(String line) {
        String single = line.indexOf('\n') < 0 ? line : line.replace('\n', ' ');
        int end = single.length();
        while (end > 0 && single.charAt(end - 1) == ExecutorStdout.PROGRESS_MARK) {
            end--; // a trailing CR shows nothing, and on stdout it is the mark of a progress line
        }
        single = single.substring(0, end);
        return ExecutorStdout.isBuildLine(single) ? single : " " + single;
    }

    private void onBuildEnded(TaskRun run, ImageBuildResult result, ImageBuildException failure) {
        run.build = null;
        if (run.isTerminal()) {
            return;
        }
        long lines = run.nextSeq;
        if (run.phase == TaskRun.Phase.KILLING) {
            String imageId = failure != null ? failure.imageId() : result.imageId();
            sendKilled(run, imageId);
        } else if (failure == null) {
            note(run, "built " + result.imageId() + (result.digest() == null ? "" : ", pushed as " + result.digest()));
            sendTerminal(run, TaskState.TASK_FINISHED, null, result.digests().isEmpty()
                    ? TaskResult.success(result.imageId(), result.digest(), result.tags(), result.sizeBytes(), lines)
                    : TaskResult.pushed(result.imageId(), result.digests(), result.tags(), result.sizeBytes(), lines));
        } else {
            note(run, "build failed: " + failure.getMessage());
            sendTerminal(run, TaskState.TASK_FAILED, failure.getMessage(),
                    TaskResult.failure(failure.getMessage(), failure.imageId(), lines, failure.stage()));
        }
    }

    private void onKill(String taskId) {
        TaskRun run = tasks.get(taskId);
        if (run == null) {
            note("ignoring KILL for unknown task " + taskId);
            return;
        }
        note("killing task " + taskId);
        stopTask(run);
    }

    private void onShutdown() {
        note("the agent asked this executor to shut down");
        shuttingDown = true;
        idleDeadline = null;
        if (tasks.isEmpty()) {
            exitCode = 0;
            return;
        }
        for (TaskRun run : List.copyOf(tasks.values())) {
            stopTask(run);
        }
        Instant graceEnd = clock.instant().plus(settings.shutdownGrace());
        if (exitDeadline == null || exitDeadline.isAfter(graceEnd)) {
            exitDeadline = graceEnd;
        }
    }

    private void stopTask(TaskRun run) {
        switch (run.phase) {
            case STARTING, RUNNING -> {
                run.phase = TaskRun.Phase.KILLING;
                run.killDeadline = clock.instant().plus(settings.killGrace());
                run.releasePush();
                if (run.build != null) {
                    run.build.cancel();
                } else {
                    sendKilled(run, null);
                }
            }
            default -> {
                // Already killing, or already terminal: nothing more to stop.
            }
        }
    }

    private void sendKilled(TaskRun run, String imageId) {
        String message = shuttingDown ? "Killed: the agent shut the executor down" : "Killed at the scheduler's request";
        sendTerminal(run, TaskState.TASK_KILLED, message, TaskResult.failure(message, imageId, run.nextSeq));
    }

    private void onAcknowledged(Event.Acknowledged ack) {
        UUID uuid = MesosUuids.uuid(ack.getUuid());
        if (unacknowledged.remove(uuid) == null) {
            return; // a duplicate, or an update resent through SUBSCRIBE and acknowledged twice
        }
        TaskRun run = tasks.get(ack.getTaskId().getValue());
        if (run == null) {
            return; // a task given up on, whose final update the agent kept
        }
        run.acknowledged = true;
        if (uuid.equals(run.pushUpdate) && run.pushGate != null) {
            run.pushGate.complete(true);
            run.pushGate = null;
        }
        if (uuid.equals(run.terminalUuid)) {
            if (!settings.severalTasks()) {
                note("the agent acknowledged the final status; exiting");
                exitCode = 0;
                return;
            }
            note(run, "the agent acknowledged the final status");
            taskDone(run);
        }
    }

    /** An executor of several tasks is done with {@code run}: once none is left, it waits for another, or exits. */
    private void taskDone(TaskRun run) {
        tasks.remove(run.id);
        if (!tasks.isEmpty()) {
            return;
        }
        if (shuttingDown) {
            note("every task is done; exiting");
            exitCode = 0;
            return;
        }
        idleDeadline = clock.instant().plus(settings.idleTimeout());
        note("no task left; exiting unless one is launched within " + seconds(settings.idleTimeout()) + " s");
    }

    private void onUpdateFailed(UpdateFailed failed) {
        if (!unacknowledged.containsKey(failed.uuid())) {
            return;
        }
        note("status update not accepted: " + failed.reason());
        if (!failed.permanent() && connection == Connection.SUBSCRIBED && resendAt == null) {
            resendAt = clock.instant().plus(UPDATE_RETRY);
        }
    }

    // ---- subscription ----

    private void subscribe() {
        connection = Connection.SUBSCRIBING;
        retryAt = null;
        attemptDeadline = clock.instant().plus(SUBSCRIBE_ATTEMPT_TIMEOUT);
        Call.Subscribe.Builder body = Call.Subscribe.newBuilder().addAllUnacknowledgedUpdates(unacknowledged.values());
        carriedBySubscribe = Set.copyOf(unacknowledged.keySet());
        for (TaskRun run : tasks.values()) {
            if (!run.acknowledged) {
                body.addUnacknowledgedTasks(run.task);
            }
        }
        Subscription next = new Subscription(++generation, call(Call.Type.SUBSCRIBE).setSubscribe(body).build());
        subscription = next;
        Thread reader = new Thread(next::read, "agent-subscription-" + next.generation);
        reader.setDaemon(true);
        reader.start();
    }

    /** Our own choice to subscribe again (the agent is there: it sent ERROR), not a lost agent. */
    private void dropSubscription(String reason) {
        if (subscription != null) {
            subscription.close();
        }
        generation++; // whatever the old stream still reports is stale now
        subscription = null;
        pauseWhileDisconnected(clock.instant());
        retryAfterBackoff(reason);
    }

    private void onDisconnected(String reason, boolean permanent) {
        subscription = null;
        Instant now = clock.instant();
        pauseWhileDisconnected(now);
        if (permanent) {
            giveUp("the agent refused the subscription: " + reason);
            return;
        }
        if (settings.recoveryTimeout().isZero()) {
            // Mesos's executor library shuts down here when the framework does not checkpoint: no agent will take
            // this executor back (the embedded one died with its Maven), so the build must not go on and push.
            giveUp("lost the agent (" + reason + "); this executor's framework does not checkpoint "
                    + "(MESOS_CHECKPOINT=0), so no agent will recover it");
            return;
        }
        if (!now.isBefore(recoveryDeadline)) {
            giveUp("no subscription to the agent within " + settings.recoveryTimeout() + "; last error: " + reason);
            return;
        }
        retryAfterBackoff(reason);
    }

    private void pauseWhileDisconnected(Instant now) {
        if (!shuttingDown) {
            // Waiting for the final acknowledgement pauses while disconnected: the recovery timeout bounds that time.
            exitDeadline = null;
            for (TaskRun run : tasks.values()) {
                run.ackDeadline = null;
            }
        }
        if (recoveryDeadline == null) {
            recoveryDeadline = now.plus(settings.recoveryTimeout());
        }
    }

    private void retryAfterBackoff(String reason) {
        Instant now = clock.instant();
        connection = Connection.WAITING_TO_RETRY;
        retryAt = now.plus(backoff);
        note("not subscribed (" + reason + "); retrying in " + backoff.toMillis() + " ms"
                + (settings.recoveryTimeout().isZero() ? "" : ", until " + recoveryDeadline));
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : doubled;
    }

    private void giveUp(String why) {
        note("giving up: " + why);
        cancelAll();
        exitCode = 1;
    }

    // ---- timers ----

    private long millisUntilNextDeadline() {
        Instant next = earliest(earliest(earliest(retryAt, idleDeadline), earliest(exitDeadline, resendAt)),
                subscribeGiveUpAt());
        for (TaskRun run : tasks.values()) {
            next = earliest(next, earliest(run.killDeadline, run.ackDeadline));
        }
        if (next == null) {
            return 1000;
        }
        return Math.max(0, Math.min(1000, Duration.between(clock.instant(), next).toMillis()));
    }

    private void onTimers(Instant now) {
        if (retryAt != null && !now.isBefore(retryAt)) {
            subscribe();
        }
        for (TaskRun run : List.copyOf(tasks.values())) {
            if (run.killDeadline != null && !now.isBefore(run.killDeadline)) {
                run.killDeadline = null;
                if (run.phase == TaskRun.Phase.KILLING) {
                    note(run, "the build did not stop within " + settings.killGrace() + "; reporting it killed anyway");
                    sendKilled(run, null);
                }
            }
            if (run.ackDeadline != null && !now.isBefore(run.ackDeadline)) {
                // Only among several tasks: the others go on; the agent keeps the update and resends it.
                run.ackDeadline = null;
                note(run, "no acknowledgement of the final status within the time allowed; done with the task (the "
                        + "agent keeps the update)");
                taskDone(run);
            }
        }
        if (resendAt != null && !now.isBefore(resendAt)) {
            resendAt = null;
            if (connection == Connection.SUBSCRIBED) {
                unacknowledged.forEach(this::postUpdate);
            }
        }
        if (exitDeadline != null && !now.isBefore(exitDeadline)) {
            note(settings.severalTasks() ? "the shutdown grace is over; exiting (the agent keeps the updates not "
                    + "acknowledged)" : "no acknowledgement of the final status within the time allowed; exiting "
                    + "(the agent keeps the update)");
            exitCode = shuttingDown ? 0 : 1;
        }
        if (idleDeadline != null && !now.isBefore(idleDeadline) && exitCode == null) {
            note("no task for " + seconds(settings.idleTimeout()) + " s; exiting");
            exitCode = 0;
        }
        Instant giveUpAt = subscribeGiveUpAt();
        if (giveUpAt != null && !now.isBefore(giveUpAt)) {
            giveUp("the agent has not answered SUBSCRIBE for " + SUBSCRIBE_ATTEMPT_TIMEOUT.toSeconds() + " s"
                    + (settings.recoveryTimeout().isZero() ? ""
                    : " and the recovery timeout of " + settings.recoveryTimeout() + " is over"));
        }
    }

    /**
     * When a SUBSCRIBE still unanswered ends the executor: once the recovery time is up, but never before the attempt
     * had its own time (with no recovery at all, the first SUBSCRIBE still needs to be answered). Null when none is
     * under way: a failed one reports itself.
     */
    private Instant subscribeGiveUpAt() {
        if (connection != Connection.SUBSCRIBING || recoveryDeadline == null) {
            return null;
        }
        return recoveryDeadline.isAfter(attemptDeadline) ? recoveryDeadline : attemptDeadline;
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    // ---- updates ----

    private void sendTerminal(TaskRun run, TaskState state, String message, TaskResult result) {
        run.terminalUuid = sendUpdate(run, state, message, result.toBytes());
        run.phase = TaskRun.Phase.TERMINAL_SENT;
        run.killDeadline = null;
        run.endLog(log);
        Instant ackBy = clock.instant().plus(ackTimeout());
        if (settings.severalTasks()) {
            run.ackDeadline = connection == Connection.SUBSCRIBED ? ackBy : null;
        } else {
            exitDeadline = earliest(exitDeadline, ackBy);
        }
    }

    /** How long a terminal update may wait for its acknowledgement while subscribed. */
    private Duration ackTimeout() {
        return shuttingDown ? settings.shutdownGrace() : settings.terminalAckTimeout();
    }

    /** Sends an update about one of this executor's tasks, kept until acknowledged; returns its uuid. */
    private UUID sendUpdate(TaskRun run, TaskState state, String message, byte[] data) {
        UUID uuid = uuids.get();
        Call.Update update = update(run.task, uuid, state, message, data);
        unacknowledged.put(uuid, update);
        note(run, state.name() + (message == null ? "" : ": " + truncate(message)));
        if (connection == Connection.SUBSCRIBED) {
            postUpdate(uuid, update);
        }
        // When not subscribed, the update goes out with the next SUBSCRIBE's unacknowledged_updates.
        return uuid;
    }

    /** A refused task's update: fire and forget, as the task is not this executor's. */
    private void sendUntracked(TaskInfo about, TaskState state, String message) {
        UUID uuid = uuids.get();
        Call.Update update = update(about, uuid, state, message, null);
        note(state.name() + ": " + truncate(message));
        if (connection == Connection.SUBSCRIBED) {
            postUpdate(uuid, update);
        }
    }

    private Call.Update update(TaskInfo about, UUID uuid, TaskState state, String message, byte[] data) {
        // Every line printed so far is in the file first: the scheduler reads the log's tail back after the final one.
        flushLog();
        TaskStatus.Builder status = TaskStatus.newBuilder()
                .setTaskId(about.getTaskId())
                .setState(state)
                .setSource(TaskStatus.Source.SOURCE_EXECUTOR)
                .setUuid(MesosUuids.bytes(uuid))
                .setExecutorId(executorId)
                .setAgentId(about.getAgentId())
                .setTimestamp(clock.millis() / 1000.0);
        if (message != null) {
            status.setMessage(truncate(message));
        }
        if (data != null) {
            status.setData(ByteString.copyFrom(data));
        }
        return Call.Update.newBuilder().setStatus(status).build();
    }

    private void postUpdate(UUID uuid, Call.Update update) {
        Call call = call(Call.Type.UPDATE).setUpdate(update).build();
        updates.execute(() -> {
            try {
                agent.call(call);
            } catch (AgentCallException e) {
                inputs.add(new UpdateFailed(uuid, e.getMessage(), e.isClientError()));
            } catch (IOException e) {
                inputs.add(new UpdateFailed(uuid, describe(e), false));
            }
        });
    }

    private Call.Builder call(Call.Type type) {
        return Call.newBuilder().setType(type).setExecutorId(executorId).setFrameworkId(frameworkId);
    }

    static String truncate(String message) {
        return message.length() <= MAX_STATUS_MESSAGE ? message : message.substring(0, MAX_STATUS_MESSAGE - 1) + "…";
    }

    private void note(String text) {
        out.println(NOTE_PREFIX + text);
    }

    /** A note about one task: among several tasks, it starts with the task's id. */
    private void note(TaskRun run, String text) {
        note(settings.severalTasks() ? run.id + ": " + text : text);
    }

    /** A duration as a note says it: whole seconds, or with their fraction. */
    private static String seconds(Duration duration) {
        return java.math.BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros().toPlainString();
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One SUBSCRIBE connection; its reader thread turns records into inputs, tagged with its generation. */
    private final class Subscription {
        private final int generation;
        private final Call subscribe;
        private volatile InputStream stream;
        private volatile boolean closed;

        Subscription(int generation, Call subscribe) {
            this.generation = generation;
            this.subscribe = subscribe;
        }

        void read() {
            try {
                InputStream in = agent.subscribe(subscribe);
                stream = in;
                if (closed) {
                    in.close();
                    return;
                }
                byte[] record;
                while ((record = RecordIo.read(in)) != null) {
                    inputs.add(new AgentEvent(generation, Event.parseFrom(record)));
                }
                inputs.add(new SubscriptionEnded(generation, "the agent closed the event stream", false));
            } catch (AgentCallException e) {
                // 503 while the agent recovers is worth waiting for; a 4xx (unknown executor) never gets better.
                inputs.add(new SubscriptionEnded(generation, e.getMessage(), e.isClientError()));
            } catch (IOException e) {
                inputs.add(new SubscriptionEnded(generation, describe(e), false));
            }
        }

        void close() {
            closed = true;
            InputStream in = stream;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
        }
    }
}
