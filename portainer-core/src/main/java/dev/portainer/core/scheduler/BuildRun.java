package dev.portainer.core.scheduler;

import dev.portainer.wire.mesos.TaskStates;

import dev.portainer.wire.auth.Secret;
import dev.portainer.core.mesos.MesosHttpException;
import dev.portainer.core.mesos.scheduler.MesosSchedulerClient;
import dev.portainer.wire.ExecutorStdout;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskProgress;
import dev.portainer.wire.TaskResult;
import dev.portainer.wire.WireFormatException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * One run on Mesos of one or more builds, as tasks of one framework, from SUBSCRIBE to TEARDOWN. The scheduler
 * client's thread only queues what it receives; this class's loop, on the caller's thread, takes one signal at a time
 * and handles it in {@link #handle}, so the run's and its tasks' state need no locks.
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
    /**
     * How many lines may wait behind a gap before it is read back at once: a frame holds thousands of lines when the
     * build prints fast, and one that did not come is lost, not late.
     */
    static final int LOG_MAX_WAITING = 10_000;
    /**
     * The most lines read back from the sandbox and shown at a time: a long gap (the executor could not send its
     * lines as fast as the build printed them) is filled in parts, so that the Maven heap holds one part at most.
     */
    static final int READ_BACK_LINES = 10_000;
    /**
     * How many bytes of log frames may wait for the run's loop. A build can print faster than Maven can show (the
     * Maven log costs microseconds a line); beyond this, frames are dropped as they arrive and their lines read back
     * from the sandbox once the loop has caught up, so that the Maven heap stays flat however much the build prints.
     */
    static final long MAX_QUEUED_LOG_BYTES = 8L * 1024 * 1024;
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

    /** immediate: do not wait for the tasks to confirm the kill (the JVM is exiting); TEARDOWN kills them anyway. */
    private record Cancel(String why, boolean immediate) implements Signal {
    }

    /** DRAINING: the task has ended, and the last of its log is still on its way (see {@link LogSequencer}). */
    enum Phase { WAITING_FOR_OFFER, LAUNCHED, KILLING, DRAINING, DONE }

    /**
     * Everything the run knows of one of its tasks, across its attempts; only the run's loop touches it. What belongs
     * to one attempt (its task id, agent, log, sandbox) is in {@link Attempt}, which a retry replaces whole.
     */
    private final class Job {
        final BuildTask task;
        Phase phase = Phase.WAITING_FOR_OFFER;
        final TaskDeadlines deadlines = new TaskDeadlines(config.offerTimeout(), config.buildTimeout());
        /** The attempt running now, or waiting for its offer. */
        Attempt now;
        // Retries: when the attempt now waiting began to, the agents that failed earlier ones, and why they failed.
        Instant retryingSince;
        final Set<String> failedAgents = new HashSet<>();
        final List<String> failedAttempts = new ArrayList<>();
        BuildOutcome outcome;
        BuildException failure;
        Instant finishedAt;

        Job(BuildTask task) {
            this.task = task;
            this.now = attempt(task, 1);
        }

        String name() {
            return task.name();
        }
    }

    /** One attempt of a job: a Mesos task on one agent, with its own executor, log and sandbox. */
    private static final class Attempt {
        /** 1 for the first attempt. */
        final int number;
        TaskID taskId;
        ExecutorID executorId;
        AgentID agentId;
        String agentHostname;
        String agentUrl;
        TaskState lastState;
        boolean reachedRunning;
        /** The executor said it is about to push (it pushes only once that was acknowledged): never run it again. */
        boolean pushing;
        /** While DRAINING: the terminal status, the phase it ended in, and the build's result (null: none). */
        TaskStatus terminal;
        Phase endedIn;
        TaskResult result;
        /** Its own log: a relaunched executor numbers its lines from the start again. */
        final AttemptLog log;
        /** Its sandbox on the agent; null until launched, and for an agent that gave no URL. */
        AttemptSandbox sandbox;
        /** Whether it runs on an executor that runs other tasks too: its log is then in its own file, its frames say so. */
        boolean sharedExecutor;

        Attempt(int number, AttemptLog log) {
            this.number = number;
            this.log = log;
        }
    }

    private final SchedulerConfig config;
    private final Clock clock;
    private final Supplier<UUID> ids;
    /** In the order given; launched in that order when offers are short. */
    private final List<Job> jobs = new ArrayList<>();
    private final EarlySubscription early;
    private HttpClient sandboxHttp;
    private final boolean failFast;
    private final BuildEvents events;
    private final MesosSchedulerClient client;
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    /** Bounds the bytes of the log frames in {@link #signals}. */
    private final LogQueueBudget logQueue;

    private FrameworkID frameworkId;
    private boolean subscribed;
    /** Whether we told the master we want no offers; cleared by REVIVE. */
    private boolean suppressed;
    private boolean failingFast;
    /** Set when the whole run is being stopped (cancelled, or failed as a whole): no job's end is then a failFast. */
    private boolean ending;
    private boolean badFrameReported;
    private Instant startedAt;
    /** What the cluster offered, to explain an offer timeout. */
    private final OfferStatistics offered = new OfferStatistics();
    /** What the user reads when a task's offer deadline passes. */
    private final OfferTimeoutMessages offerTimeoutMessages;
    /** The agents whose offers met the constraints: where a retry may go instead of an agent that failed it. */
    private final Set<String> eligibleAgents = new HashSet<>();
    /**
     * The executors that run several tasks, one per agent and launch: what each task launched on it must carry. An
     * entry stays when its executor ends; the agent's offers then no longer list it, and the next task starts another.
     */
    private final Map<SharedExecutor, ExecutorInfo> sharedExecutors = new HashMap<>();

    /** An agent's executor for the tasks that have this same launch. */
    private record SharedExecutor(String agentId, ExecutorLaunch launch) {
    }

    /**
     * @param failFast whether the first failed task kills the others at once, rather than letting them finish
     * @param early    a subscription made while the tasks were prepared, which this run takes over; or null
     */
    BuildRun(SchedulerConfig config, Clock clock, Supplier<UUID> ids, List<BuildTask> tasks, boolean failFast,
             BuildEvents events, MesosSchedulerClient client, EarlySubscription early) {
        this(config, clock, ids, tasks, failFast, events, client, early, MAX_QUEUED_LOG_BYTES);
    }

    /** @param maxQueuedLogBytes how many bytes of log frames may wait for the loop before more are dropped */
    BuildRun(SchedulerConfig config, Clock clock, Supplier<UUID> ids, List<BuildTask> tasks, boolean failFast,
             BuildEvents events, MesosSchedulerClient client, EarlySubscription early, long maxQueuedLogBytes) {
        this.logQueue = new LogQueueBudget(maxQueuedLogBytes);
        this.early = early;
        this.config = config;
        this.offerTimeoutMessages = new OfferTimeoutMessages(config.offerTimeout(), config.role(),
                config.constraints());
        this.clock = clock;
        this.ids = ids;
        this.failFast = failFast;
        this.events = events; // before the jobs: each attempt's log reports to it
        this.client = client;
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one task");
        }
        Set<String> names = new HashSet<>();
        for (BuildTask task : tasks) {
            if (!names.add(task.name())) {
                // The name keys the log prefix and the summary: two alike could not be told apart.
                throw new IllegalArgumentException("two build tasks are named " + task.name());
            }
            jobs.add(new Job(task));
        }
    }

    /**
     * Asks the run to stop: the tasks are killed, the framework torn down, and {@link #executeAll} ends each task that
     * had not ended with a {@link BuildCancelledException}.
     */
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

    /**
     * Runs every task to its end and returns how each ended, in the order given. A failure of the run itself (the
     * master unreachable or refusing, a cancellation) ends every task that had not ended with it.
     */
    List<Outcome<BuildTask, BuildOutcome>> executeAll() throws InterruptedException {
        startedAt = clock.instant();
        try {
            try {
                MesosSchedulerClient.Listener listener = new MesosSchedulerClient.Listener() {
                    @Override
                    public void onEvent(Event event) {
                        if (event.getType() == Event.Type.MESSAGE
                                && !logQueue.admit(event.getMessage().getData().size())) {
                            return; // a gap, read back from the sandbox once the loop gets there
                        }
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
                };
                frameworkId = early != null ? early.attach(listener) : client.subscribe(listener);
                // Shown: the framework id is what the master's UI and API know this run by.
                events.info("Registered with the Mesos master at " + client.leader() + " as framework "
                        + frameworkId.getValue() + "; waiting for " + (jobs.size() == 1 ? "an offer"
                        + (jobs.get(0).task.agent() == null ? "" : " from agent " + jobs.get(0).task.agent())
                        : "offers for " + jobs.size() + " builds"));
                jobs.forEach(job -> events.debug(job.name() + " needs " + OfferTimeoutMessages.needs(job.task)));
                Instant now = clock.instant();
                jobs.forEach(job -> job.deadlines.waitForOffer(now));
                loop();
            } catch (BuildException e) {
                ending = true;
                for (Job job : jobs) {
                    if (job.phase != Phase.DONE) {
                        finish(job, e);
                    }
                }
            }
            return jobs.stream().map(job -> new Outcome<>(job.task, job.outcome, job.failure,
                    Duration.between(startedAt, job.finishedAt))).toList();
        } finally {
            cleanUp();
        }
    }

    private void loop() throws BuildException, InterruptedException {
        while (!allDone()) {
            Signal signal = signals.poll(millisUntilNextDeadline(), TimeUnit.MILLISECONDS);
            if (signal != null) {
                handle(signal);
            }
            Instant now = clock.instant();
            for (Job job : jobs) {
                logProgress(job, now);
            }
            checkDeadlines(now);
        }
    }

    private boolean allDone() {
        return jobs.stream().allMatch(job -> job.phase == Phase.DONE);
    }

    /** Every signal of the run is handled here, one at a time. A failure thrown is the whole run's. */
    private void handle(Signal signal) throws BuildException, InterruptedException {
        if (signal instanceof Received r) {
            if (r.event().getType() == Event.Type.MESSAGE) {
                logQueue.release(r.event().getMessage().getData().size());
            }
            handleEvent(r.event());
            return;
        }
        if (signal instanceof Disconnected d) {
            events.warn("Lost the connection to the Mesos master (" + d.reason() + "); re-subscribing");
            return;
        }
        if (signal instanceof Closed c) {
            throw c.failure() != null ? c.failure()
                    : new ClusterException("The connection to the Mesos master was closed during the build");
        }
        Cancel cancel = (Cancel) signal;
        ending = true;
        for (Job job : jobs) {
            if (job.phase == Phase.WAITING_FOR_OFFER || job.phase == Phase.DRAINING) {
                finish(job, new BuildCancelledException(cancel.why()));
                continue;
            }
            startKill(job, new BuildCancelledException(cancel.why()));
            if (cancel.immediate() && job.phase == Phase.KILLING) {
                finish(job, job.deadlines.killReason());
            }
        }
    }

    private void handleEvent(Event event) throws BuildException, InterruptedException {
        switch (event.getType()) {
            case SUBSCRIBED -> {
                if (subscribed) {
                    // Updates sent while we were away are resent by Mesos, but ask in case our tasks vanished.
                    List<Call.Reconcile.Task> tasks = new ArrayList<>();
                    for (Job job : jobs) {
                        if (job.now.taskId != null && job.phase != Phase.DONE && job.phase != Phase.DRAINING) {
                            Call.Reconcile.Task.Builder t = Call.Reconcile.Task.newBuilder().setTaskId(job.now.taskId);
                            if (job.now.agentId != null) {
                                t.setAgentId(job.now.agentId);
                            }
                            tasks.add(t.build());
                        }
                    }
                    if (!tasks.isEmpty()) {
                        events.info("Re-subscribed to the Mesos master; reconciling " + tasks.stream()
                                .map(t -> t.getTaskId().getValue()).reduce((a, b) -> a + ", " + b).orElse(""));
                        callMaster("RECONCILE", () -> client.reconcile(tasks));
                    }
                }
                subscribed = true;
            }
            case OFFERS -> onOffers(event.getOffers().getOffersList());
            case UPDATE -> onUpdate(event.getUpdate().getStatus());
            case MESSAGE -> onMessage(event.getMessage());
            case FAILURE -> {
                Event.Failure failure = event.getFailure();
                for (Job job : jobs) {
                    if (job.now.executorId != null && failure.getExecutorId().equals(job.now.executorId)
                            && job.phase != Phase.DONE) {
                        events.info("The Portainer executor of " + job.name() + " on " + job.now.agentHostname
                                + " exited" + (failure.hasStatus() ? " with status " + failure.getStatus() : ""));
                    }
                }
            }
            default -> {
                // HEARTBEAT keeps the client's watchdog quiet; RESCIND cannot hurt us since we never hold offers;
                // ERROR is turned into a Closed signal by the client.
            }
        }
    }

    private boolean anyWaiting() {
        return jobs.stream().anyMatch(job -> job.phase == Phase.WAITING_FOR_OFFER);
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
        boolean launched = false;
        for (Offer offer : offers) {
            AgentConstraint failed = firstFailedConstraint(offer);
            offered.offered(offer, config.role(), failed);
            if (failed != null) {
                declined.add(offer.getId());
                continue;
            }
            List<Job> candidates = new ArrayList<>();
            boolean anyAvoids = false;
            for (Job job : jobs) {
                if (job.phase != Phase.WAITING_FOR_OFFER) {
                    continue;
                }
                if (!job.task.mayRunOn(offer.getHostname())) {
                    // Bound to another agent (a push runs where the image was built): this offer is not for it.
                    continue;
                }
                if (avoid(job, offer)) {
                    anyAvoids = true;
                } else {
                    candidates.add(job);
                }
            }
            // As many waiting builds as the offer fits, in order: one agent may build several images at once.
            List<OfferMatcher.Allocation> allocations = OfferMatcher.allocateEach(offer, config.role(),
                    candidates.stream().map(job -> need(job, offer)).toList());
            List<Job> fitted = new ArrayList<>();
            List<OfferMatcher.Allocation> fittedAllocations = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                if (allocations.get(i) != null) {
                    fitted.add(candidates.get(i));
                    fittedAllocations.add(allocations.get(i));
                }
            }
            if (!fitted.isEmpty()) {
                launch(offer, fitted, fittedAllocations);
                launched = true;
            } else if (anyAvoids) {
                avoided.add(offer.getId());
            } else {
                declined.add(offer.getId());
            }
        }
        if (!declined.isEmpty()) {
            double refuse = anyWaiting() ? DECLINE_WHILE_WAITING_SECONDS : DECLINE_AFTER_LAUNCH_SECONDS;
            callMaster("DECLINE", () -> client.decline(declined, refuse));
        }
        if (!avoided.isEmpty()) {
            callMaster("DECLINE", () -> client.decline(avoided, DECLINE_FAILED_AGENT_SECONDS));
        }
        if (launched) {
            updateSuppression();
        }
    }

    /**
     * What a job needs from an offer: its task's resources, and its executor's unless the job goes to an executor of
     * several tasks that already runs on the offer's agent (Mesos lists the framework's running executors in the
     * offer) or that another job of the same offer starts.
     */
    private OfferMatcher.Need need(Job job, Offer offer) {
        ExecutorLaunch launch = job.task.executor();
        if (!launch.severalTasks()) {
            return new OfferMatcher.Need(job.task.cpus(), job.task.memMb(), launch.cpus(), launch.memMb());
        }
        SharedExecutor key = new SharedExecutor(offer.getAgentId().getValue(), launch);
        boolean running = runningExecutor(key, offer) != null;
        return new OfferMatcher.Need(job.task.cpus(), job.task.memMb(), running ? 0 : launch.cpus(),
                running ? 0 : launch.memMb(), key);
    }

    /** The shared executor that runs on the offer's agent, or null when it never started or has ended. */
    private ExecutorInfo runningExecutor(SharedExecutor key, Offer offer) {
        ExecutorInfo known = sharedExecutors.get(key);
        return known != null && offer.getExecutorIdsList().contains(known.getExecutorId()) ? known : null;
    }

    /** SUPPRESS once nothing is waiting for an offer, so that the master stops sending us what we would decline. */
    private void updateSuppression() throws BuildException, InterruptedException {
        if (!suppressed && !anyWaiting() && !allDone()) {
            suppressed = true;
            callMaster("SUPPRESS", client::suppress);
        }
    }

    /**
     * Whether to pass over an agent that failed an earlier attempt of this job: yes while another agent that meets
     * the constraints is known and the retry has waited less than half the offer timeout for it. A single-agent
     * cluster (such as {@code local}) retries on the same agent at once.
     */
    private boolean avoid(Job job, Offer offer) {
        if (job.task.agent() != null || !job.failedAgents.contains(offer.getAgentId().getValue())) {
            // a task bound to one agent has no other to try
            return false;
        }
        boolean othersKnown = eligibleAgents.stream().anyMatch(a -> !job.failedAgents.contains(a));
        return othersKnown && clock.instant().isBefore(job.retryingSince.plus(config.offerTimeout().dividedBy(2)));
    }

    private AgentConstraint firstFailedConstraint(Offer offer) {
        for (AgentConstraint c : config.constraints()) {
            if (!c.test(offer)) {
                return c;
            }
        }
        return null;
    }

    /**
     * One ACCEPT of the offer with a LAUNCH for each job: each task with its own executor, or on the agent's executor
     * of several tasks (started by the first of them when it does not run yet).
     */
    private void launch(Offer offer, List<Job> fitted, List<OfferMatcher.Allocation> allocations)
            throws BuildException, InterruptedException {
        List<Offer.Operation> operations = new ArrayList<>();
        Set<SharedExecutor> startedHere = new HashSet<>();
        for (int i = 0; i < fitted.size(); i++) {
            Job job = fitted.get(i);
            job.now.taskId = TaskID.newBuilder().setValue("portainer-" + slug(job.name()) + "-" + ids.get()).build();
            ExecutorInfo executor;
            if (job.task.executor().severalTasks()) {
                SharedExecutor key = new SharedExecutor(offer.getAgentId().getValue(), job.task.executor());
                executor = startedHere.contains(key) ? sharedExecutors.get(key) : runningExecutor(key, offer);
                if (executor == null) {
                    executor = TaskLaunch.executor(job.task, allocations.get(i).executor(), frameworkId,
                            newExecutorId());
                    sharedExecutors.put(key, executor);
                    startedHere.add(key);
                }
                job.now.sharedExecutor = true;
            } else {
                executor = TaskLaunch.executor(job.task, allocations.get(i).executor(), frameworkId,
                        newExecutorId());
            }
            job.now.executorId = executor.getExecutorId();
            job.now.agentId = offer.getAgentId();
            job.now.agentHostname = offer.getHostname();
            job.now.agentUrl = offer.hasUrl() ? offer.getUrl().getScheme() + "://"
                    + offer.getUrl().getAddress().getHostname() + ":" + offer.getUrl().getAddress().getPort()
                    + offer.getUrl().getPath() : null;
            if (offer.hasUrl()) {
                openSandbox(job, offer.getUrl());
            }
            operations.add(TaskLaunch.operation(job.task, offer, allocations.get(i).task(), executor,
                    job.now.taskId));
            // Launched as soon as the ACCEPT may have reached the master, so that an interruption during the call
            // still kills the task.
            job.phase = Phase.LAUNCHED;
        }
        if (!callMaster("ACCEPT", () -> client.accept(List.of(offer.getId()), operations,
                anyWaiting() ? DECLINE_WHILE_WAITING_SECONDS : DECLINE_AFTER_LAUNCH_SECONDS))) {
            // Did the master get it? Ask: an unknown task comes back as lost, which relaunches it.
            callMaster("RECONCILE", () -> client.reconcile(fitted.stream().map(job -> Call.Reconcile.Task
                    .newBuilder().setTaskId(job.now.taskId).setAgentId(job.now.agentId).build()).toList()));
        }
        for (Job job : fitted) {
            job.deadlines.launched(clock.instant());
            // The one line a launch gets: where it runs, and the task id to look it up by in Mesos.
            events.info("Launched " + job.now.taskId.getValue() + " on " + job.now.agentHostname + " (cpus "
                    + job.task.cpus() + ", mem " + job.task.memMb() + " MB)"
                    + (job.now.sharedExecutor ? " in executor " + job.now.executorId.getValue() : "")
                    + (job.now.number > 1 ? ", attempt " + job.now.number + " of " + (config.retries() + 1) : ""));
        }
    }

    private ExecutorID newExecutorId() {
        return ExecutorID.newBuilder().setValue("portainer-executor-" + ids.get()).build();
    }

    private Job jobOfTask(TaskID taskId) {
        for (Job job : jobs) {
            if (job.now.taskId != null && job.now.taskId.equals(taskId)) {
                return job;
            }
        }
        return null;
    }

    private void onUpdate(TaskStatus status) throws BuildException, InterruptedException {
        // Updates of an earlier attempt's task are acknowledged below and otherwise ignored.
        Job job = jobOfTask(status.getTaskId());
        if (status.hasUuid()) {
            // Only updates with a uuid are acknowledged; the others (from the master, reconciliation) must not be.
            AgentID agent = status.hasAgentId() ? status.getAgentId() : job != null ? job.now.agentId : null;
            callMaster("ACKNOWLEDGE", () -> client.acknowledge(agent, status.getTaskId(), status.getUuid()));
        }
        if (job == null || job.phase == Phase.DONE || job.phase == Phase.DRAINING) {
            return;
        }
        TaskState state = status.getState();
        if (!isTerminal(state)) {
            job.now.reachedRunning |= state == TaskState.TASK_RUNNING;
            job.now.pushing |= isPushing(status);
            if (state != job.now.lastState) {
                events.debug(job.name() + " is " + stateName(state) + " on " + job.now.agentHostname);
            }
            job.now.lastState = state;
            return;
        }
        job.now.terminal = status;
        job.now.endedIn = job.phase;
        job.phase = Phase.DRAINING;
        job.now.result = readResult(status);
        Instant now = clock.instant();
        job.now.log.end(job.now.result == null ? -1 : job.now.result.logLines(), now);
        logProgress(job, now);
    }

    /**
     * Fills the job's due gaps; once the task has ended and its log is complete (every line shown, read back or
     * given up on), settles how it ended.
     */
    private void logProgress(Job job, Instant now) throws InterruptedException {
        job.now.log.fillDueGaps(now, job.phase == Phase.DRAINING);
        if (job.phase == Phase.DRAINING && job.now.log.complete()) {
            try {
                BuildOutcome outcome = onTerminal(job);
                if (outcome != null) {
                    job.outcome = outcome;
                    finish(job, null);
                }
            } catch (BuildException e) {
                finish(job, e);
            }
        }
    }

    /** The ended job's outcome once built, null when it is being retried; throws its failure. */
    private BuildOutcome onTerminal(Job job) throws BuildException, InterruptedException {
        Attempt ended = job.now;
        job.phase = Phase.DONE;
        ended.log.recoverGivenUpLines();
        long lost = ended.result == null ? ended.log.missing().size()
                : Math.max(0, ended.result.logLines() - ended.log.delivered());
        if (lost > 0) {
            events.warn((jobs.size() > 1 ? job.name() + ": " : "") + lost + " log line"
                    + (lost == 1 ? " was" : "s were") + " lost in transit" + ended.log.whereTheLostLinesAre());
        }
        TaskEnd.Verdict verdict = TaskEnd.decide(new TaskEnd.Facts(job.task, ended.number, ended.taskId.getValue(),
                ended.agentHostname, ended.terminal, ended.result,
                ended.endedIn == Phase.KILLING ? job.deadlines.killReason() : null, ended.reachedRunning,
                ended.pushing, job.failedAttempts), config.retries(), failingFast,
                () -> explained(ended));
        if (verdict instanceof TaskEnd.Built built) {
            return new BuildOutcome(frameworkId.getValue(), ended.taskId.getValue(), ended.agentId.getValue(),
                    ended.agentHostname, ended.agentUrl, built.result(), ended.log.delivered(), ended.log.missing());
        }
        if (verdict instanceof TaskEnd.Retry retry) {
            retry(job, retry.failure());
            return null;
        }
        throw ((TaskEnd.Failed) verdict).failure();
    }

    /**
     * Ends a job, with its failure or (null) its outcome. With failFast, the first failure ends the others: those
     * waiting at once, those running once killed. A job waiting for an offer gets a fresh offer timeout when another
     * ends, since what it waited for may have been held by its siblings rather than missing from the cluster.
     */
    private void finish(Job job, BuildException failure) throws InterruptedException {
        job.phase = Phase.DONE;
        job.failure = failure;
        job.finishedAt = clock.instant();
        if (jobs.size() > 1) {
            if (failure == null) {
                events.info(job.name() + " built in " + human(Duration.between(startedAt, job.finishedAt)));
            } else {
                events.warn(job.name() + " failed: " + failure.getMessage());
            }
        }
        for (Job other : jobs) {
            if (other.phase == Phase.WAITING_FOR_OFFER) {
                other.deadlines.anotherEnded(job.finishedAt);
            }
        }
        if (failure != null && failFast && !failingFast && !ending && jobs.size() > 1) {
            failingFast = true;
            String why = "Stopped because " + job.name() + " failed and failFast is set";
            for (Job other : jobs) {
                if (other.phase == Phase.WAITING_FOR_OFFER) {
                    finish(other, new BuildCancelledException(why));
                } else {
                    try {
                        startKill(other, new BuildCancelledException(why));
                    } catch (BuildException e) {
                        // KILL refused: TEARDOWN at the end kills it.
                        finish(other, e);
                    }
                }
            }
        }
    }

    /**
     * Relaunches the build as a new task with a new executor, after a failure of the cluster before the build
     * could run or report (the executor never started, died or lost its agent): waits for offers again, preferring
     * agents other than those that failed it.
     */
    private Attempt attempt(BuildTask task, int number) {
        return new Attempt(number, new AttemptLog(task.name(), events, LOG_GAP_WAIT, LOG_MAX_WAITING, READ_BACK_LINES));
    }

    private void retry(Job job, TaskFailedException failure) throws BuildException, InterruptedException {
        String why = failure.getMessage();
        job.failedAttempts.add("attempt " + job.now.number + " on " + job.now.agentHostname + ": " + failure.summary());
        job.failedAgents.add(job.now.agentId.getValue());
        job.now = attempt(job.task, job.now.number + 1);
        events.warn(why + "; retrying (attempt " + job.now.number + " of " + (config.retries() + 1) + "), on another "
                + "agent if one offers");
        job.phase = Phase.WAITING_FOR_OFFER;
        job.retryingSince = clock.instant();
        job.deadlines.waitForOffer(job.retryingSince);
        // We may have suppressed offers, and declined the others for long: ask for them again.
        suppressed = false;
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

    /** Whether a running update says the build is about to push; an update it cannot read says nothing. */
    private boolean isPushing(TaskStatus status) {
        if (status.getState() != TaskState.TASK_RUNNING || status.getData().isEmpty()) {
            return false;
        }
        try {
            return TaskProgress.fromBytes(status.getData().toByteArray()).pushing();
        } catch (WireFormatException e) {
            events.warn("A running status update carries no readable build progress: " + e.getMessage());
            return false;
        }
    }

    private void onMessage(Event.Message message) throws InterruptedException {
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
        // An executor of several tasks names the task in each frame; an executor of one task need not.
        Job job = null;
        for (Job j : jobs) {
            if (j.now.executorId != null && message.getExecutorId().equals(j.now.executorId)
                    && (frame.taskId() == null ? !j.now.sharedExecutor
                    : j.now.taskId.getValue().equals(frame.taskId()))) {
                job = j;
            }
        }
        if (job == null) {
            return;
        }
        Instant now = clock.instant();
        job.now.log.accept(frame, now);
        logProgress(job, now);
    }

    private void openSandbox(Job job, org.apache.mesos.v1.Protos.URL url) {
        Secret authorization = config.credential() == null ? null : Secret.of(config.credential().authorization());
        job.now.sandbox = AttemptSandbox.on(url, frameworkId.getValue(), job.now.executorId.getValue(),
                job.now.sharedExecutor ? ExecutorStdout.taskFile(job.now.taskId.getValue()) : ExecutorStdout.FILE,
                this::sandboxHttp, SANDBOX_READ_TIMEOUT, authorization);
        job.now.log.readsBackFrom(job.now.sandbox.log(), job.now.sandbox.logWhere());
    }

    /** The ended attempt's status message, with what its sandbox says of a failed fetch. */
    private static String explained(Attempt ended) throws InterruptedException {
        String message = ended.terminal.hasMessage() ? ended.terminal.getMessage() : null;
        return ended.sandbox == null ? message : ended.sandbox.explained(message);
    }

    /**
     * One client for every read-back of this run, made on the first: reading back is rare, and a new HttpClient
     * costs a cold JVM ~0.1 s (the default TLS context) that used to fall between the offer and the ACCEPT.
     */
    private synchronized HttpClient sandboxHttp() {
        if (sandboxHttp == null) {
            sandboxHttp = HttpClient.newBuilder().connectTimeout(SANDBOX_READ_TIMEOUT).build();
        }
        return sandboxHttp;
    }

    private void startKill(Job job, ClusterException reason) throws BuildException, InterruptedException {
        if (job.phase != Phase.LAUNCHED) {
            return;
        }
        job.phase = Phase.KILLING;
        job.deadlines.killing(clock.instant(), reason);
        events.info("Killing " + job.now.taskId.getValue() + ": " + reason.getMessage());
        callMaster("KILL", () -> client.kill(job.now.taskId, job.now.agentId));
    }

    private void checkDeadlines(Instant now) throws BuildException, InterruptedException {
        for (Job job : jobs) {
            switch (job.deadlines.due(job.phase, now)) {
                case OFFER -> finish(job, new OfferTimeoutException(
                        offerTimeoutMessages.noOfferFits(job.task, job.failedAttempts, offered)));
                case BUILD -> startKill(job, new BuildCancelledException("The build of " + job.name() + " did not "
                        + "finish within the build timeout of " + human(config.buildTimeout()) + "; its task "
                        + job.now.taskId.getValue() + " was killed. Raise the timeout (<timeout>, portainer.timeout) "
                        + "if the build needs longer"));
                case KILL -> finish(job, job.deadlines.killReason()); // TEARDOWN in cleanUp() kills it regardless.
                case NOTHING -> {
                }
            }
        }
    }

    /** Until the next deadline of any job, or the next expiry of a gap in its log. */
    private long millisUntilNextDeadline() {
        List<Instant> next = new ArrayList<>();
        for (Job job : jobs) {
            next.add(job.deadlines.next(job.phase));
            next.add(job.now.log.nextExpiry());
        }
        return TaskDeadlines.millisToWait(clock.instant(), next);
    }

    /** Leaves nothing running: kill our tasks that may still run, TEARDOWN, close the stream. */
    private void cleanUp() {
        boolean interrupted = Thread.interrupted();
        try {
            if (client.state() != MesosSchedulerClient.State.CLOSED && client.frameworkId().isPresent()) {
                for (Job job : jobs) {
                    if (job.phase == Phase.LAUNCHED) {
                        try {
                            client.kill(job.now.taskId, job.now.agentId);
                        } catch (IOException | InterruptedException | RuntimeException e) {
                            // TEARDOWN kills it too.
                        }
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
     * re-offers what was not declined, and the re-subscription reconciles our tasks. Returns whether it was sent.
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

    /**
     * Terminal for this build. TASK_UNREACHABLE and TASK_UNKNOWN are not terminal to Mesos, but we are not
     * PARTITION_AWARE (so they are rare) and they mean the agent or the task is gone: waiting would hang the build.
     */
    static boolean isTerminal(TaskState state) {
        return TaskStates.isTerminal(state) || state == TaskState.TASK_UNREACHABLE
                || state == TaskState.TASK_UNKNOWN;
    }

    private static String stateName(TaskState state) {
        return state.name().substring("TASK_".length()).toLowerCase(Locale.ROOT);
    }

    private static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return s.length() > 60 ? s.substring(0, 60) : s.isEmpty() ? "build" : s;
    }

    static String num(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value)
                .replaceAll("0+$", "");
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + " ms";
        }
        return s % 60 == 0 ? s / 60 + " min" : s + " s";
    }
}
