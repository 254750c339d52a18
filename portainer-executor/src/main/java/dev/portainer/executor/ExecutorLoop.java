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
import dev.portainer.executor.build.ImageBuild;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.executor.build.ImageBuildResult;
import dev.portainer.executor.build.ImageBuilds;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

    private sealed interface Input {
    }

    private record AgentEvent(int generation, Event event) implements Input {
    }

    private record SubscriptionEnded(int generation, String reason, boolean permanent) implements Input {
    }

    private record UpdateFailed(UUID uuid, String reason, boolean permanent) implements Input {
    }

    private record BuildStarted() implements Input {
    }

    private record BuildLine(String line, LogFrame.Kind kind) implements Input {
    }

    /** Lines that came together (one chunk of Docker's stream): one input rather than hundreds. */
    private record BuildLines(List<String> lines) implements Input {
    }

    private record BuildEnded(ImageBuildResult result, ImageBuildException failure) implements Input {
    }

    /** The build is about to push; {@code go} says whether it may (once the scheduler is sure to hear of it). */
    private record PushStarting(CompletableFuture<Boolean> go) implements Input {
    }

    private enum Connection { SUBSCRIBING, SUBSCRIBED, WAITING_TO_RETRY }

    private enum Phase { AWAITING_TASK, STARTING, RUNNING, KILLING, TERMINAL_SENT }

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
    private Phase phase = Phase.AWAITING_TASK;
    private TaskInfo task;
    private boolean taskAcknowledged;
    private ImageBuild build;
    private Instant killDeadline;
    private UUID terminalUuid;
    private Instant exitDeadline;
    private boolean shuttingDown;
    private long nextSeq;
    /** Lines printed since stdout was last flushed, numbered on from {@link #pendingFirstSeq}, for the log channel. */
    private final List<byte[]> pending = new ArrayList<>();
    /** Which of the pending lines are progress: their offsets in {@link #pending}, ascending. */
    private final List<Integer> pendingProgress = new ArrayList<>();
    private long pendingFirstSeq;
    private int pendingBytes;
    /** The build's first push waits on this until the update saying so is acknowledged; null when none waits. */
    private CompletableFuture<Boolean> pushGate;
    private UUID pushUpdate;
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
     */
    public int run() throws InterruptedException {
        recoveryDeadline = clock.instant().plus(settings.recoveryTimeout());
        note("subscribing to the agent at " + agent.endpoint() + " as executor " + settings.executorId()
                + " of framework " + settings.frameworkId());
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
                    if (pending.size() >= PENDING_LINES || pendingBytes >= PENDING_BYTES) {
                        flushLog();
                    }
                }
                if (exitCode == null) {
                    onTimers(clock.instant());
                }
            }
        } finally {
            releasePush();
            if (build != null) {
                build.cancel();
            }
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
        } else if (input instanceof BuildStarted) {
            onBuildStarted();
        } else if (input instanceof BuildLine l) {
            onBuildLine(l.line(), l.kind());
        } else if (input instanceof BuildLines l) {
            for (String line : l.lines()) {
                onBuildLine(line, LogFrame.Kind.OUTPUT);
            }
        } else if (input instanceof BuildEnded e) {
            onBuildEnded(e.result(), e.failure());
        } else if (input instanceof PushStarting p) {
            onPushStarting(p.go());
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
        if (phase == Phase.TERMINAL_SENT) {
            exitDeadline = clock.instant().plus(shuttingDown ? settings.shutdownGrace() : settings.terminalAckTimeout());
        }
    }

    private void onLaunch(TaskInfo launched) {
        if (task != null) {
            // The scheduler launches one executor per build; a second task here is a scheduler bug, refuse it.
            sendUpdate(launched, TaskState.TASK_FAILED, "This Portainer executor already runs task "
                    + task.getTaskId().getValue() + "; launch each build with its own executor", null);
            return;
        }
        task = launched;
        note("launched task " + task.getTaskId().getValue());
        sendUpdate(task, TaskState.TASK_STARTING, null, null);
        BuildSpec spec;
        try {
            spec = BuildSpec.fromBytes(task.getData().toByteArray());
        } catch (WireFormatException e) {
            sendTerminal(TaskState.TASK_FAILED, e.getMessage(), TaskResult.failure(e.getMessage(), null, nextSeq));
            return;
        }
        note(spec.pushOnly() ? "pushing " + spec.imageId() + " as " + spec.tags().size() + " tag(s) of " + spec.image()
                : "building " + spec.image() + ":" + spec.tags().get(0) + " from " + spec.contextFile()
                + (spec.push() ? ", then pushing " + spec.tags().size() + " tag(s)" : ""));
        try {
            build = builds.create(spec, settings.sandbox());
        } catch (RuntimeException e) {
            String error = "Cannot prepare the build: " + e.getMessage();
            sendTerminal(TaskState.TASK_FAILED, error, TaskResult.failure(error, null, nextSeq));
            return;
        }
        phase = Phase.STARTING;
        ImageBuild running = build;
        Thread worker = new Thread(() -> runBuild(running), "image-build");
        worker.setDaemon(true);
        worker.start();
    }

    /** Runs on the worker thread: everything it learns goes back to the loop through the queue. */
    private void runBuild(ImageBuild running) {
        inputs.add(new BuildStarted());
        BuildLog report = new BuildLog() {
            @Override
            public void line(String line) {
                inputs.add(new BuildLine(line, LogFrame.Kind.OUTPUT));
            }

            @Override
            public void progress(String line) {
                inputs.add(new BuildLine(line, LogFrame.Kind.PROGRESS));
            }

            @Override
            public void lines(List<String> lines) {
                inputs.add(new BuildLines(lines));
            }

            @Override
            public void beforePush() throws InterruptedException {
                CompletableFuture<Boolean> go = new CompletableFuture<>();
                inputs.add(new PushStarting(go));
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
            inputs.add(new BuildEnded(result, null));
        } catch (ImageBuildException e) {
            inputs.add(new BuildEnded(null, e));
        } catch (InterruptedException e) {
            inputs.add(new BuildEnded(null, new ImageBuildException("The build was interrupted", null, e)));
        } catch (RuntimeException e) {
            inputs.add(new BuildEnded(null, new ImageBuildException("The executor failed unexpectedly: " + e, null, e)));
        }
    }

    private void onBuildStarted() {
        if (phase == Phase.STARTING) {
            phase = Phase.RUNNING;
            sendUpdate(task, TaskState.TASK_RUNNING, null, null);
        }
    }

    private void onBuildLine(String text, LogFrame.Kind kind) {
        if (phase == Phase.TERMINAL_SENT) {
            return; // after TASK_KILLED went out on the kill deadline: the result already says how many lines there were
        }
        // As bytes, once: the same go to stdout and, unless they need escaping, into the frame; the kind goes to stdout
        // as its mark, to the frame as a field.
        byte[] line = stdoutSafe(text).getBytes(StandardCharsets.UTF_8);
        out.write(line, 0, line.length);
        if (kind == LogFrame.Kind.PROGRESS) {
            out.write(ExecutorStdout.PROGRESS_MARK);
        }
        out.write('\n');
        long seq = nextSeq++;
        if (connection == Connection.SUBSCRIBED) {
            if (pending.isEmpty()) {
                pendingFirstSeq = seq;
            } else if (pendingFirstSeq + pending.size() != seq) {
                flushLog(); // a line was not framed in between: the pending lines must stay one run
                pendingFirstSeq = seq;
            }
            if (kind == LogFrame.Kind.PROGRESS) {
                pendingProgress.add(pending.size());
            }
            pending.add(line);
            pendingBytes += line.length;
        }
    }

    /**
     * Flushes stdout, then hands the lines printed since to the log channel: a line is in the sandbox's file before
     * its frame can reach the scheduler, which reads the file back for the frames that do not.
     */
    private void flushLog() {
        out.flush();
        // Best effort by design: lines the channel has no room for are recovered by the scheduler from stdout.
        log.offer(pendingFirstSeq, pending, pendingProgress);
        pending.clear();
        pendingProgress.clear();
        pendingBytes = 0;
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
    private void onPushStarting(CompletableFuture<Boolean> go) {
        if (phase != Phase.RUNNING) {
            go.complete(false); // being killed
            return;
        }
        if (pushUpdate != null) {
            // Said already: one update covers every push of the task, and this one waits for the same acknowledgement.
            if (pushGate == null) {
                go.complete(true);
            } else {
                pushGate.thenAccept(go::complete);
            }
            return;
        }
        pushGate = go;
        pushUpdate = sendUpdate(task, TaskState.TASK_RUNNING, "pushing", TaskProgress.pushingNow().toBytes());
    }

    /** Lets a push that waits for its update go no further: the task is being stopped. */
    private void releasePush() {
        if (pushGate != null) {
            pushGate.complete(false);
            pushGate = null;
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

    private void onBuildEnded(ImageBuildResult result, ImageBuildException failure) {
        build = null;
        if (phase == Phase.TERMINAL_SENT) {
            return;
        }
        if (phase == Phase.KILLING) {
            String imageId = failure != null ? failure.imageId() : result.imageId();
            sendKilled(imageId);
        } else if (failure == null) {
            note("built " + result.imageId() + (result.digest() == null ? "" : ", pushed as " + result.digest()));
            sendTerminal(TaskState.TASK_FINISHED, null, result.digests().isEmpty()
                    ? TaskResult.success(result.imageId(), result.digest(), result.tags(), result.sizeBytes(), nextSeq)
                    : TaskResult.pushed(result.imageId(), result.digests(), result.tags(), result.sizeBytes(),
                    nextSeq));
        } else {
            note("build failed: " + failure.getMessage());
            sendTerminal(TaskState.TASK_FAILED, failure.getMessage(),
                    TaskResult.failure(failure.getMessage(), failure.imageId(), nextSeq, failure.stage()));
        }
    }

    private void onKill(String taskId) {
        if (task == null || !task.getTaskId().getValue().equals(taskId)) {
            note("ignoring KILL for unknown task " + taskId);
            return;
        }
        note("killing task " + taskId);
        stopTask();
    }

    private void onShutdown() {
        note("the agent asked this executor to shut down");
        shuttingDown = true;
        if (task == null) {
            exitCode = 0;
            return;
        }
        stopTask();
        Instant graceEnd = clock.instant().plus(settings.shutdownGrace());
        if (exitDeadline == null || exitDeadline.isAfter(graceEnd)) {
            exitDeadline = graceEnd;
        }
    }

    private void stopTask() {
        switch (phase) {
            case STARTING, RUNNING -> {
                phase = Phase.KILLING;
                killDeadline = clock.instant().plus(settings.killGrace());
                releasePush();
                if (build != null) {
                    build.cancel();
                } else {
                    sendKilled(null);
                }
            }
            default -> {
                // Already killing, or already terminal: nothing more to stop.
            }
        }
    }

    private void sendKilled(String imageId) {
        String message = shuttingDown ? "Killed: the agent shut the executor down" : "Killed at the scheduler's request";
        sendTerminal(TaskState.TASK_KILLED, message, TaskResult.failure(message, imageId, nextSeq));
    }

    private void onAcknowledged(Event.Acknowledged ack) {
        UUID uuid = MesosUuids.uuid(ack.getUuid());
        if (unacknowledged.remove(uuid) == null) {
            return; // a duplicate, or an update resent through SUBSCRIBE and acknowledged twice
        }
        if (task != null && task.getTaskId().equals(ack.getTaskId())) {
            taskAcknowledged = true;
        }
        if (uuid.equals(pushUpdate) && pushGate != null) {
            pushGate.complete(true);
            pushGate = null;
        }
        if (uuid.equals(terminalUuid)) {
            note("the agent acknowledged the final status; exiting");
            exitCode = 0;
        }
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
        if (task != null && !taskAcknowledged) {
            body.addUnacknowledgedTasks(task);
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
        releasePush();
        if (build != null) {
            build.cancel();
        }
        exitCode = 1;
    }

    // ---- timers ----

    private long millisUntilNextDeadline() {
        Instant next = earliest(earliest(earliest(retryAt, killDeadline), earliest(exitDeadline, resendAt)),
                subscribeGiveUpAt());
        if (next == null) {
            return 1000;
        }
        return Math.max(0, Math.min(1000, Duration.between(clock.instant(), next).toMillis()));
    }

    private void onTimers(Instant now) {
        if (retryAt != null && !now.isBefore(retryAt)) {
            subscribe();
        }
        if (killDeadline != null && !now.isBefore(killDeadline)) {
            killDeadline = null;
            if (phase == Phase.KILLING) {
                note("the build did not stop within " + settings.killGrace() + "; reporting it killed anyway");
                sendKilled(null);
            }
        }
        if (resendAt != null && !now.isBefore(resendAt)) {
            resendAt = null;
            if (connection == Connection.SUBSCRIBED) {
                unacknowledged.forEach(this::postUpdate);
            }
        }
        if (exitDeadline != null && !now.isBefore(exitDeadline)) {
            note("no acknowledgement of the final status within the time allowed; exiting (the agent keeps the update)");
            exitCode = shuttingDown ? 0 : 1;
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

    private void sendTerminal(TaskState state, String message, TaskResult result) {
        terminalUuid = sendUpdate(task, state, message, result.toBytes());
        phase = Phase.TERMINAL_SENT;
        killDeadline = null;
        Instant ackBy = clock.instant().plus(shuttingDown ? settings.shutdownGrace() : settings.terminalAckTimeout());
        exitDeadline = earliest(exitDeadline, ackBy);
    }

    private UUID sendUpdate(TaskInfo about, TaskState state, String message, byte[] data) {
        // Every line printed so far is in the file first: the scheduler reads the log's tail back after the final one.
        flushLog();
        UUID uuid = uuids.get();
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
        Call.Update update = Call.Update.newBuilder().setStatus(status).build();
        if (about == task) {
            // Only our own task's updates are tracked; a refused extra task's TASK_FAILED is fire and forget.
            unacknowledged.put(uuid, update);
        }
        note(state.name() + (message == null ? "" : ": " + truncate(message)));
        if (connection == Connection.SUBSCRIBED) {
            postUpdate(uuid, update);
        }
        // When not subscribed, the update goes out with the next SUBSCRIBE's unacknowledged_updates.
        return uuid;
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
