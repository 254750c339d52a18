package dev.portainer.core.scheduler;

import dev.portainer.core.mesos.AgentFiles;
import dev.portainer.core.mesos.MesosHttpException;
import dev.portainer.core.wire.ExecutorStdout;
import dev.portainer.core.wire.LogFrame;
import dev.portainer.core.wire.TaskResult;
import dev.portainer.core.wire.WireFormatException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * One build on Mesos, from SUBSCRIBE to TEARDOWN. The scheduler client's thread only queues what it receives; this
 * class's loop, on the caller's thread, takes one signal at a time and handles it in {@link #handle}, so the build's
 * state needs no locks.
 */
final class BuildRun {
    /**
     * A long filter is safe while waiting: Mesos filters only offers contained in the refused resources, so an agent
     * that frees more resources is offered again at once; what stays filtered is what cannot fit anyway. Short
     * filters would make us churn through the same useless offers and hold them from other frameworks.
     */
    static final double DECLINE_WHILE_WAITING_SECONDS = 600;
    /** Once launched we need nothing more; keep other agents' resources for other frameworks. */
    static final double DECLINE_AFTER_LAUNCH_SECONDS = 600;
    /**
     * How long a gap in the log waits for its frame before the lines are read back from the sandbox. Short: frames
     * travel one ordered path (executor → agent → master → us), so a gap is a loss far more often than a reordering.
     */
    static final Duration LOG_GAP_WAIT = Duration.ofMillis(500);
    /** How long one read of the sandbox's stdout through the agent may take before the gap is given up. */
    static final Duration SANDBOX_READ_TIMEOUT = Duration.ofSeconds(5);
    static final int LOG_MAX_WAITING = 1_000;
    /** How long a killed task may take to say it is dead before we tear the framework down regardless. */
    static final Duration KILL_GRACE = Duration.ofSeconds(15);
    /**
     * A retry declines the agents that failed the build with this short filter only, so that they come back if no
     * other agent can take the build after all.
     */
    static final double DECLINE_FAILED_AGENT_SECONDS = 5;

    private sealed interface Signal {
    }

    private record Received(Event event) implements Signal {
    }

    private record Disconnected(String reason) implements Signal {
    }

    private record Closed(ClusterException failure) implements Signal {
    }

    /** immediate: do not wait for the task to confirm the kill (the JVM is exiting); TEARDOWN kills it anyway. */
    private record Cancel(String why, boolean immediate) implements Signal {
    }

    private enum Phase { WAITING_FOR_OFFER, LAUNCHED, KILLING, DONE }

    private final SchedulerConfig config;
    private final Clock clock;
    private final Supplier<UUID> ids;
    private final BuildTask task;
    private final BuildEvents events;
    private final MesosSchedulerClient client;
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    /** Replaced for each attempt: a relaunched executor numbers its lines from the start again. */
    private LogSequencer logs = new LogSequencer(LOG_GAP_WAIT, LOG_MAX_WAITING);
    /** Where lost log lines are read back from; null until launched on an agent whose URL the offer gave. */
    private SandboxLog sandboxLog;
    private String sandboxStdout;
    /** Why reading the sandbox failed, once it did: no more attempts until the task ended (then one last one). */
    private String sandboxFailure;
    private boolean sandboxMismatch;

    private Phase phase = Phase.WAITING_FOR_OFFER;
    private FrameworkID frameworkId;
    private boolean subscribed;
    private Instant offerDeadline;
    private Instant buildDeadline;
    private Instant killDeadline;
    private ClusterException killReason;
    private TaskID taskId;
    private ExecutorID executorId;
    private AgentID agentId;
    private String agentHostname;
    private String agentUrl;
    private TaskState lastState;
    private boolean reachedRunning;
    private boolean badFrameReported;
    // What the cluster offered, to explain an offer timeout.
    private int offersSeen;
    private final Set<String> agentsSeen = new HashSet<>();
    private double largestCpus;
    private double largestMem;
    private final Set<String> rolesSeen = new java.util.TreeSet<>();
    /** Agent hostname → what it has for the first constraint it fails. */
    private final java.util.Map<String, String> skippedByConstraints = new java.util.TreeMap<>();
    // Retries: the attempt running now (1-based), the agents that failed earlier ones, and why they failed.
    private int attempt = 1;
    private Instant retryingSince;
    private final Set<String> failedAgents = new HashSet<>();
    private final Set<String> eligibleAgents = new HashSet<>();
    private final List<String> failedAttempts = new ArrayList<>();

    BuildRun(SchedulerConfig config, Clock clock, Supplier<UUID> ids, BuildTask task, BuildEvents events,
             MesosSchedulerClient client) {
        this.config = config;
        this.clock = clock;
        this.ids = ids;
        this.task = task;
        this.events = events;
        this.client = client;
    }

    /** Asks the run to stop: the task is killed, the framework torn down, and {@link #execute} throws. */
    void cancel(String why) {
        signals.add(new Cancel(why, false));
    }

    /** Like {@link #cancel}, but the run ends right after sending KILL (then TEARDOWN), without waiting for TASK_KILLED. */
    void cancelNow(String why) {
        signals.add(new Cancel(why, true));
    }

    /** From another thread, when this run's own thread is stuck: TEARDOWN (kills our tasks) and close. */
    void abort() {
        try {
            if (client.frameworkId().isPresent()) {
                client.teardown();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            events.warn("Could not tear down the Mesos framework: " + e.getMessage());
        } finally {
            client.close();
        }
    }

    BuildOutcome execute() throws BuildException, InterruptedException {
        try {
            frameworkId = client.subscribe(new MesosSchedulerClient.Listener() {
                @Override
                public void onEvent(Event event) {
                    signals.add(new Received(event));
                }

                @Override
                public void onDisconnected(String reason) {
                    signals.add(new Disconnected(reason));
                }

                @Override
                public void onClosed(ClusterException failure) {
                    signals.add(new Closed(failure));
                }
            });
            events.info("Registered with the Mesos master at " + client.leader() + " as framework "
                    + frameworkId.getValue() + "; waiting for an offer of " + needs());
            offerDeadline = clock.instant().plus(config.offerTimeout());
            return loop();
        } finally {
            cleanUp();
        }
    }

    private BuildOutcome loop() throws BuildException, InterruptedException {
        while (true) {
            Signal signal = signals.poll(millisUntilNextDeadline(), TimeUnit.MILLISECONDS);
            if (signal != null) {
                BuildOutcome outcome = handle(signal);
                if (outcome != null) {
                    return outcome;
                }
            }
            Instant now = clock.instant();
            fillDueGaps(now);
            checkDeadlines(now);
        }
    }

    /** Every signal of the run is handled here, one at a time. Returns the outcome once the build succeeded. */
    private BuildOutcome handle(Signal signal) throws BuildException, InterruptedException {
        if (signal instanceof Received r) {
            return handleEvent(r.event());
        }
        if (signal instanceof Disconnected d) {
            events.warn("Lost the connection to the Mesos master (" + d.reason() + "); re-subscribing");
            return null;
        }
        if (signal instanceof Closed c) {
            throw c.failure() != null ? c.failure()
                    : new ClusterException("The connection to the Mesos master was closed during the build");
        }
        Cancel cancel = (Cancel) signal;
        if (phase == Phase.WAITING_FOR_OFFER) {
            throw new BuildCancelledException(cancel.why());
        }
        startKill(new BuildCancelledException(cancel.why()));
        if (cancel.immediate() && killReason != null) {
            throw killReason;
        }
        return null;
    }

    private BuildOutcome handleEvent(Event event) throws BuildException, InterruptedException {
        switch (event.getType()) {
            case SUBSCRIBED -> {
                if (subscribed && taskId != null && phase != Phase.DONE) {
                    // Updates sent while we were away are resent by Mesos, but ask in case our task vanished.
                    events.info("Re-subscribed to the Mesos master; reconciling " + taskId.getValue());
                    Call.Reconcile.Task.Builder t = Call.Reconcile.Task.newBuilder().setTaskId(taskId);
                    if (agentId != null) {
                        t.setAgentId(agentId);
                    }
                    callMaster("RECONCILE", () -> client.reconcile(List.of(t.build())));
                }
                subscribed = true;
            }
            case OFFERS -> onOffers(event.getOffers().getOffersList());
            case UPDATE -> {
                return onUpdate(event.getUpdate().getStatus());
            }
            case MESSAGE -> onMessage(event.getMessage());
            case FAILURE -> {
                Event.Failure failure = event.getFailure();
                if (executorId != null && failure.getExecutorId().equals(executorId)) {
                    events.info("The Portainer executor on " + agentHostname + " exited"
                            + (failure.hasStatus() ? " with status " + failure.getStatus() : ""));
                }
            }
            default -> {
                // HEARTBEAT keeps the client's watchdog quiet; RESCIND cannot hurt us since we never hold offers;
                // ERROR is turned into a Closed signal by the client.
            }
        }
        return null;
    }

    private void onOffers(List<Offer> offers) throws BuildException, InterruptedException {
        List<OfferID> declined = new ArrayList<>();
        List<OfferID> avoided = new ArrayList<>();
        for (Offer offer : offers) {
            if (firstFailedConstraint(offer) == null) {
                // All of them first, so that an offer from an agent that failed us is skipped when a later one in
                // the same batch comes from another agent.
                eligibleAgents.add(offer.getAgentId().getValue());
            }
        }
        for (Offer offer : offers) {
            offersSeen++;
            agentsSeen.add(offer.getAgentId().getValue());
            rolesSeen.addAll(OfferMatcher.roles(offer));
            AgentConstraint failed = firstFailedConstraint(offer);
            if (failed != null) {
                skippedByConstraints.put(offer.getHostname(), failed.describe(offer) + ", wanted " + failed);
                declined.add(offer.getId());
                continue;
            }
            largestCpus = Math.max(largestCpus, OfferMatcher.available(offer, config.role(), OfferMatcher.CPUS));
            largestMem = Math.max(largestMem, OfferMatcher.available(offer, config.role(), OfferMatcher.MEM));
            if (phase == Phase.WAITING_FOR_OFFER && avoid(offer)) {
                avoided.add(offer.getId());
                continue;
            }
            if (phase == Phase.WAITING_FOR_OFFER) {
                var allocation = OfferMatcher.allocate(offer, config.role(), task.cpus(), task.memMb(),
                        task.executor().cpus(), task.executor().memMb());
                if (allocation.isPresent()) {
                    launch(offer, allocation.get());
                    continue;
                }
            }
            declined.add(offer.getId());
        }
        if (!declined.isEmpty()) {
            double refuse = phase == Phase.WAITING_FOR_OFFER ? DECLINE_WHILE_WAITING_SECONDS
                    : DECLINE_AFTER_LAUNCH_SECONDS;
            callMaster("DECLINE", () -> client.decline(declined, refuse));
        }
        if (!avoided.isEmpty()) {
            callMaster("DECLINE", () -> client.decline(avoided, DECLINE_FAILED_AGENT_SECONDS));
        }
    }

    /**
     * Whether to pass over an agent that failed an earlier attempt: yes while another agent that meets the
     * constraints is known and the retry has waited less than half the offer timeout for it. A single-agent cluster
     * (such as {@code local}) retries on the same agent at once.
     */
    private boolean avoid(Offer offer) {
        if (!failedAgents.contains(offer.getAgentId().getValue())) {
            return false;
        }
        boolean othersKnown = eligibleAgents.stream().anyMatch(a -> !failedAgents.contains(a));
        return othersKnown && clock.instant().isBefore(retryingSince.plus(config.offerTimeout().dividedBy(2)));
    }

    private AgentConstraint firstFailedConstraint(Offer offer) {
        for (AgentConstraint c : config.constraints()) {
            if (!c.test(offer)) {
                return c;
            }
        }
        return null;
    }

    private void launch(Offer offer, OfferMatcher.Allocation allocation) throws BuildException, InterruptedException {
        taskId = TaskID.newBuilder().setValue("portainer-" + slug(task.name()) + "-" + ids.get()).build();
        executorId = ExecutorID.newBuilder().setValue("portainer-executor-" + ids.get()).build();
        agentId = offer.getAgentId();
        agentHostname = offer.getHostname();
        agentUrl = offer.hasUrl() ? offer.getUrl().getScheme() + "://" + offer.getUrl().getAddress().getHostname()
                + ":" + offer.getUrl().getAddress().getPort() + offer.getUrl().getPath() : null;
        if (offer.hasUrl()) {
            openSandboxLog(offer.getUrl());
        }
        Offer.Operation operation = TaskLaunch.operation(task, offer, allocation, frameworkId, taskId, executorId);
        // Launched as soon as the ACCEPT may have reached the master, so that an interruption during the call still
        // kills the task.
        phase = Phase.LAUNCHED;
        if (!callMaster("ACCEPT", () -> client.accept(List.of(offer.getId()), List.of(operation),
                DECLINE_AFTER_LAUNCH_SECONDS))) {
            // Did the master get it? Ask: an unknown task comes back as lost, which relaunches it.
            callMaster("RECONCILE", () -> client.reconcile(List.of(Call.Reconcile.Task.newBuilder()
                    .setTaskId(taskId).setAgentId(agentId).build())));
        }
        if (config.buildTimeout() != null) {
            buildDeadline = clock.instant().plus(config.buildTimeout());
        }
        events.info("Launched " + taskId.getValue() + " on " + agentHostname + " (" + needs() + ")"
                + (attempt > 1 ? ", attempt " + attempt + " of " + (config.retries() + 1) : ""));
        // One task per run: no more offers wanted.
        callMaster("SUPPRESS", client::suppress);
    }

    private BuildOutcome onUpdate(TaskStatus status) throws BuildException, InterruptedException {
        // Updates of an earlier attempt's task are acknowledged below and otherwise ignored.
        if (status.hasUuid()) {
            // Only updates with a uuid are acknowledged; the others (from the master, reconciliation) must not be.
            AgentID agent = status.hasAgentId() ? status.getAgentId() : agentId;
            callMaster("ACKNOWLEDGE", () -> client.acknowledge(agent, status.getTaskId(), status.getUuid()));
        }
        if (taskId == null || !status.getTaskId().equals(taskId)) {
            return null;
        }
        TaskState state = status.getState();
        if (!isTerminal(state)) {
            reachedRunning |= state == TaskState.TASK_RUNNING;
            if (state != lastState) {
                events.info(task.name() + " is " + stateName(state) + " on " + agentHostname);
            }
            lastState = state;
            return null;
        }
        return onTerminal(status);
    }

    private BuildOutcome onTerminal(TaskStatus status) throws BuildException, InterruptedException {
        Phase before = phase;
        phase = Phase.DONE;
        TaskResult result = readResult(status);
        logs.end(result == null ? -1 : result.logLines());
        sandboxFailure = null; // the executor printed every line before its final update: worth one more try
        fillDueGaps(clock.instant());
        recoverGivenUpLines();
        long lost = result == null ? logs.missing().size() : Math.max(0, result.logLines() - logs.delivered());
        if (lost > 0) {
            events.warn(lost + " log line" + (lost == 1 ? " was" : "s were") + " lost in transit"
                    + (sandboxFailure == null ? "" : " and could not be read back from the sandbox (" + sandboxFailure
                    + ")") + (sandboxStdout == null ? "" : "; the full log is " + sandboxStdout));
        }
        if (before == Phase.KILLING && killReason != null && status.getState() != TaskState.TASK_FINISHED) {
            throw killReason;
        }
        if (result != null && result.failed()) {
            throw new BuildFailedException(task.name(), result);
        }
        if (status.getState() == TaskState.TASK_FINISHED) {
            if (result == null) {
                throw new ClusterException("The build task " + taskId.getValue() + " finished without reporting a "
                        + "result; is the executor the same Portainer version as the plugin?");
            }
            return new BuildOutcome(frameworkId.getValue(), taskId.getValue(), agentId.getValue(), agentHostname,
                    agentUrl, result, logs.delivered(), logs.missing());
        }
        TaskFailedException failure = new TaskFailedException(task.name(), agentHostname,
                status.getState().name(), status.hasReason() ? status.getReason().name() : null,
                status.hasSource() ? status.getSource().name() : null,
                status.hasMessage() ? status.getMessage() : null, failedAttempts);
        if (before == Phase.LAUNCHED && TaskRetry.retryable(status, result, reachedRunning)) {
            if (attempt <= config.retries()) {
                retry(failure);
                return null;
            }
            if (config.retries() > 0) {
                throw new TaskFailedException(task.name(), agentHostname, status.getState().name(),
                        status.hasReason() ? status.getReason().name() : null,
                        status.hasSource() ? status.getSource().name() : null,
                        status.hasMessage() ? status.getMessage() : null, failedAttempts, attempt);
            }
        }
        throw failure;
    }

    /**
     * Relaunches the build as a new task with a new executor, after a failure of the cluster before the build
     * could run or report (the executor never started, died or lost its agent): waits for offers again, preferring
     * agents other than those that failed it.
     */
    private void retry(TaskFailedException failure) throws BuildException, InterruptedException {
        String why = failure.getMessage();
        failedAttempts.add("attempt " + attempt + " on " + agentHostname + ": " + failure.summary());
        failedAgents.add(agentId.getValue());
        attempt++;
        events.warn(why + "; retrying (attempt " + attempt + " of " + (config.retries() + 1) + "), on another "
                + "agent if one offers");
        taskId = null;
        executorId = null;
        agentId = null;
        agentHostname = null;
        agentUrl = null;
        lastState = null;
        reachedRunning = false;
        buildDeadline = null;
        logs = new LogSequencer(LOG_GAP_WAIT, LOG_MAX_WAITING);
        sandboxLog = null;
        sandboxStdout = null;
        sandboxFailure = null;
        sandboxMismatch = false;
        phase = Phase.WAITING_FOR_OFFER;
        retryingSince = clock.instant();
        offerDeadline = retryingSince.plus(config.offerTimeout());
        // We suppressed offers and declined the others for long after the first launch: ask for them again.
        callMaster("REVIVE", client::revive);
    }

    private TaskResult readResult(TaskStatus status) {
        if (status.getData().isEmpty()) {
            return null;
        }
        try {
            return TaskResult.fromBytes(status.getData().toByteArray());
        } catch (WireFormatException e) {
            events.warn("The task's final status carries no readable build result: " + e.getMessage());
            return null;
        }
    }

    private void onMessage(Event.Message message) throws InterruptedException {
        if (executorId == null || !message.getExecutorId().equals(executorId)) {
            return;
        }
        LogFrame frame;
        try {
            frame = LogFrame.fromBytes(message.getData().toByteArray());
        } catch (WireFormatException e) {
            if (!badFrameReported) {
                events.warn("Ignoring executor messages that are not log lines: " + e.getMessage());
                badFrameReported = true;
            }
            return;
        }
        Instant now = clock.instant();
        deliver(logs.accept(frame, now));
        fillDueGaps(now);
    }

    private void deliver(List<LogFrame> frames) {
        for (LogFrame frame : frames) {
            events.log(task.name(), frame.line());
            if (sandboxLog != null) {
                sandboxLog.delivered(frame.seq(), frame.line());
            }
        }
    }

    private void openSandboxLog(org.apache.mesos.v1.Protos.URL url) {
        URI root = AgentFiles.agentRoot(url.getScheme(), url.getAddress().hasHostname()
                ? url.getAddress().getHostname() : url.getAddress().getIp(), url.getAddress().getPort());
        // The virtual path works on any agent whatever its work directory, and for as long as the sandbox exists.
        String path = AgentFiles.sandboxPath(frameworkId.getValue(), executorId.getValue()) + "/"
                + ExecutorStdout.FILE;
        AgentFiles files = new AgentFiles(HttpClient.newBuilder().connectTimeout(SANDBOX_READ_TIMEOUT).build(), root,
                SANDBOX_READ_TIMEOUT);
        sandboxStdout = path + " on " + root;
        sandboxLog = new SandboxLog((offset, length) -> files.read(path, offset, length), sandboxStdout);
    }

    /**
     * Fills every gap that is due with the lines read back from the sandbox, in their place; skips it when they
     * cannot be read (they are tried once more, out of place, when the task ends). Later frames wait meanwhile.
     */
    private void fillDueGaps(Instant now) throws InterruptedException {
        LogSequencer.Gap gap;
        while ((gap = logs.dueGap(now)) != null) {
            List<String> lines = phase == Phase.DONE || sandboxFailure == null ? readBack(gap.from(), gap.to())
                    : null;
            deliver(lines == null ? logs.skip(gap) : logs.fill(gap, lines));
        }
    }

    /** Lines given up on during the build get one more chance at the end, shown with a note since out of place. */
    private void recoverGivenUpLines() throws InterruptedException {
        List<Long> missing = logs.missing();
        if (missing.isEmpty() || sandboxLog == null || sandboxMismatch || sandboxFailure != null) {
            return;
        }
        List<String> lines = readBack(missing.get(0), missing.get(missing.size() - 1) + 1);
        if (lines == null) {
            return;
        }
        for (long seq : missing) {
            String line = lines.get((int) (seq - missing.get(0)));
            events.log(task.name(), "(recovered line " + (seq + 1) + ") " + line);
            logs.recoveredLate(seq);
        }
    }

    /** Build log lines [from, to) from the sandbox's stdout, or null (and the reason remembered) if unavailable. */
    private List<String> readBack(long from, long to) throws InterruptedException {
        if (sandboxLog == null || sandboxMismatch) {
            return null;
        }
        try {
            List<String> lines = sandboxLog.lines(from, to);
            sandboxFailure = null;
            return lines;
        } catch (SandboxLog.MismatchException e) {
            sandboxMismatch = true;
            sandboxFailure = e.getMessage();
        } catch (IOException e) {
            sandboxFailure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return null;
    }

    private void startKill(ClusterException reason) throws BuildException, InterruptedException {
        if (phase != Phase.LAUNCHED) {
            return;
        }
        phase = Phase.KILLING;
        killReason = reason;
        killDeadline = clock.instant().plus(KILL_GRACE);
        events.info("Killing " + taskId.getValue() + ": " + reason.getMessage());
        callMaster("KILL", () -> client.kill(taskId, agentId));
    }

    private void checkDeadlines(Instant now) throws BuildException, InterruptedException {
        switch (phase) {
            case WAITING_FOR_OFFER -> {
                if (!now.isBefore(offerDeadline)) {
                    throw new OfferTimeoutException(offerTimeoutMessage());
                }
            }
            case LAUNCHED -> {
                if (buildDeadline != null && !now.isBefore(buildDeadline)) {
                    startKill(new BuildCancelledException("The build of " + task.name() + " did not finish within "
                            + "the build timeout of " + human(config.buildTimeout()) + "; its task "
                            + taskId.getValue() + " was killed. Raise the timeout (<timeout>, portainer.timeout) if "
                            + "the build needs longer"));
                }
            }
            case KILLING -> {
                if (!now.isBefore(killDeadline)) {
                    // TEARDOWN in cleanUp() kills it regardless.
                    throw killReason;
                }
            }
            case DONE -> {
            }
        }
    }

    private long millisUntilNextDeadline() {
        Instant now = clock.instant();
        Instant next = switch (phase) {
            case WAITING_FOR_OFFER -> offerDeadline;
            case LAUNCHED -> buildDeadline;
            case KILLING -> killDeadline;
            case DONE -> null;
        };
        Instant logExpiry = logs.nextExpiry();
        if (next == null || logExpiry != null && logExpiry.isBefore(next)) {
            next = logExpiry;
        }
        if (next == null) {
            return 1_000;
        }
        // At least 1 ms so that poll() yields; at most a second so that a fixed test clock cannot stall us forever.
        return Math.max(1, Math.min(1_000, Duration.between(now, next).toMillis()));
    }

    /** Leaves nothing running: kill our task if it may still run, TEARDOWN, close the stream. */
    private void cleanUp() {
        boolean interrupted = Thread.interrupted();
        try {
            if (client.state() != MesosSchedulerClient.State.CLOSED && client.frameworkId().isPresent()) {
                if (phase == Phase.LAUNCHED) {
                    try {
                        client.kill(taskId, agentId);
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        // TEARDOWN kills it too.
                    }
                }
                try {
                    client.teardown();
                } catch (IOException | InterruptedException | RuntimeException e) {
                    events.warn("Could not tear down Mesos framework " + frameworkId.getValue() + " (" + e.getMessage()
                            + "); Mesos removes it and its tasks after the failover timeout of "
                            + human(config.failoverTimeout()));
                }
            }
        } finally {
            client.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private interface MasterCall {
        void run() throws IOException, InterruptedException;
    }

    /**
     * Makes a call; a refusal fails the build. A call lost with the connection does not while the client still
     * tries to reconnect (a master failover drops calls in flight): Mesos resends unacknowledged updates and
     * re-offers what was not declined, and the re-subscription reconciles our task. Returns whether it was sent.
     */
    private boolean callMaster(String what, MasterCall call) throws ClusterException, InterruptedException {
        try {
            call.run();
            return true;
        } catch (MesosHttpException e) {
            throw new ClusterException("The Mesos master refused " + what + " (HTTP " + e.status() + "): "
                    + e.body().strip(), e);
        } catch (IOException e) {
            if (client.state() == MesosSchedulerClient.State.CLOSED) {
                throw new ClusterException("Could not send " + what + " to the Mesos master at " + client.leader()
                        + ": " + e, e);
            }
            events.warn("Could not send " + what + " to the Mesos master at " + client.leader() + " (" + e
                    + "); carrying on, the connection is re-established if it is lost");
            return false;
        }
    }

    private String offerTimeoutMessage() {
        StringBuilder m = new StringBuilder("No Mesos offer could fit the build of ").append(task.name())
                .append(" within ").append(human(config.offerTimeout())).append(": it needs ").append(needs());
        if (!config.constraints().isEmpty()) {
            m.append(" on an agent with ").append(config.constraints().stream().map(AgentConstraint::toString)
                    .reduce((a, b) -> a + " and " + b).orElse(""));
        }
        m.append(" for role '").append(config.role()).append("'; ");
        if (!failedAttempts.isEmpty()) {
            m.append("retrying after ").append(String.join("; ", failedAttempts)).append("; ");
        }
        if (offersSeen == 0) {
            m.append("no offer arrived at all (are agents registered, and does role '").append(config.role())
                    .append("' get resources? Another framework may hold them all)");
        } else {
            int fitting = agentsSeen.size() - skippedByConstraints.size();
            m.append(offersSeen).append(" offer").append(offersSeen == 1 ? "" : "s").append(" from ")
                    .append(agentsSeen.size()).append(" agent").append(agentsSeen.size() == 1 ? "" : "s")
                    .append(" arrived (roles offered: ").append(String.join(", ", rolesSeen)).append(")");
            if (fitting > 0) {
                m.append("; the largest had ").append(num(largestCpus)).append(" cpus and ").append(num(largestMem))
                        .append(" MB for role '").append(config.role()).append("'");
            }
            if (!skippedByConstraints.isEmpty()) {
                m.append("; skipped by constraints: ");
                m.append(skippedByConstraints.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .reduce((a, b) -> a + ", " + b).orElse(""));
            }
        }
        return m.append(". Lower the build's cpus/memory, relax the constraints, free resources on the cluster or "
                + "raise the offer timeout").toString();
    }

    private String needs() {
        return num(task.totalCpus()) + " cpus and " + num(task.totalMemMb()) + " MB of memory (build "
                + num(task.cpus()) + " cpus/" + num(task.memMb()) + " MB + executor " + num(task.executor().cpus())
                + " cpus/" + num(task.executor().memMb()) + " MB)";
    }

    /**
     * Terminal for this build. TASK_UNREACHABLE and TASK_UNKNOWN are not terminal to Mesos, but we are not
     * PARTITION_AWARE (so they are rare) and they mean the agent or the task is gone: waiting would hang the build.
     */
    static boolean isTerminal(TaskState state) {
        return switch (state) {
            case TASK_STAGING, TASK_STARTING, TASK_RUNNING, TASK_KILLING -> false;
            default -> true;
        };
    }

    private static String stateName(TaskState state) {
        return state.name().substring("TASK_".length()).toLowerCase(Locale.ROOT);
    }

    private static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return s.length() > 60 ? s.substring(0, 60) : s.isEmpty() ? "build" : s;
    }

    private static String num(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value)
                .replaceAll("0+$", "");
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + " ms";
        }
        return s % 60 == 0 ? s / 60 + " min" : s + " s";
    }
}
