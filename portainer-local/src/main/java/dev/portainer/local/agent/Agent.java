package dev.portainer.local.agent;

import dev.portainer.wire.mesos.TaskStates;
import dev.portainer.wire.mesos.MesosUuids;

import com.google.protobuf.ByteString;
import dev.portainer.local.NodeContext;
import dev.portainer.local.http.BadRequestException;
import dev.portainer.local.http.EventStream;
import dev.portainer.local.http.Principal;
import dev.portainer.local.master.Master;
import dev.portainer.local.resources.Resources;
import org.apache.mesos.v1.Protos.AgentInfo;
import org.apache.mesos.v1.Protos.ContainerID;
import org.apache.mesos.v1.Protos.ContainerStatus;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.NetworkInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent of the single node: executor runs (sandbox, fetch, process), the executor calls, and the status update
 * manager (a task's updates go to the scheduler one at a time, the next once the previous is acknowledged). Every
 * method runs on the event loop.
 */
public final class Agent {
    /** The realm of the agent's read-only endpoints (READONLY_HTTP_AUTHENTICATION_REALM in slave/constants.hpp). */
    public static final String READONLY_REALM = "mesos-agent-readonly";
    private static final java.util.regex.Pattern VIRTUAL_SANDBOX =
            java.util.regex.Pattern.compile("/frameworks/[^/]+/executors/[^/]+/runs/latest(/.*)?");
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    /** A task's status update stream, keyed like Mesos's: by framework and task. */
    private record TaskKey(String frameworkId, String taskId) {
    }

    /** The agent's view of one framework. */
    static final class AgentFramework {
        final String id;
        FrameworkInfo info;
        final Map<String, ExecutorRun> executors = new LinkedHashMap<>();
        final List<ExecutorRun> completedExecutors = new ArrayList<>();
        boolean removed;

        AgentFramework(String id, FrameworkInfo info) {
            this.id = id;
            this.info = info;
        }
    }

    private final NodeContext ctx;
    private final Master master;
    private final Resources total;
    private final ExecutorLauncher launcher;
    /** Every executor process started, from the I/O threads; see {@link #killLaunched()}. */
    private final Set<ProcessTree> launched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService io;
    private final ExecutorTokens tokens;
    private final double startTime;
    private final Map<String, AgentFramework> frameworks = new LinkedHashMap<>();
    private final List<AgentFramework> completedFrameworks = new ArrayList<>();
    private final Map<TaskKey, Deque<TaskStatus>> updates = new LinkedHashMap<>();
    /** Uuids already seen per task, so that an executor's retried update is not forwarded twice. */
    private final Map<TaskKey, Set<ByteString>> seenUuids = new LinkedHashMap<>();
    /** Executor MESSAGE calls so far, for the fault-injection knob; owned by the loop like the rest. */
    private long executorMessages;

    public Agent(NodeContext ctx, Master master, Resources total, ExecutorLauncherFactory launcherFactory,
                 ExecutorService io, ExecutorTokens tokens) {
        this.ctx = ctx;
        this.tokens = tokens;
        this.master = master;
        this.total = total;
        this.launcher = launcherFactory.create(ctx);
        this.io = io;
        this.startTime = ctx.now();
    }

    /** Makes the launcher; a seam for the agent's environment and HTTP client. */
    public interface ExecutorLauncherFactory {
        ExecutorLauncher create(NodeContext ctx);

        static ExecutorLauncherFactory standard(Map<String, String> environment,
                                                java.util.function.Supplier<java.net.http.HttpClient> http) {
            return ctx -> {
                FetcherCache cache;
                try {
                    cache = FetcherCache.at(ctx.workDir().resolve("fetch"), FetcherCache.DEFAULT_SIZE);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("Cannot empty the fetcher cache directory", e);
                }
                return new ExecutorLauncher(ctx, environment, new Fetcher(http, environment, cache));
            };
        }
    }

    public AgentInfo agentInfo() {
        AgentInfo.Builder info = AgentInfo.newBuilder()
                .setHostname(ctx.hostname())
                .setPort(ctx.agentPort())
                .setId(ctx.agentIdProto());
        // The agent's own resources carry no allocation: list them plainly, cpus first like Mesos.
        List<Resource> resources = new ArrayList<>(total.toProto(null));
        resources.sort((a, b) -> Integer.compare(order(a.getName()), order(b.getName())));
        resources.forEach(r -> info.addResources(r.toBuilder().clearRole()));
        return info.build();
    }

    private static int order(String name) {
        return switch (name) {
            case "cpus" -> 0;
            case "mem" -> 1;
            case "disk" -> 2;
            case "ports" -> 4;
            default -> 3;
        };
    }

    // ---------------------------------------------------------------- from the master

    public void frameworkSubscribed(String frameworkId, FrameworkInfo info) {
        AgentFramework framework = frameworks.get(frameworkId);
        if (framework != null) {
            framework.info = info;
        }
        // Like the agent's retries after a scheduler failover: resend every update still waiting for its ack.
        updates.forEach((key, queue) -> {
            if (key.frameworkId().equals(frameworkId) && !queue.isEmpty()) {
                master.statusUpdate(frameworkId, queue.peekFirst());
            }
        });
    }

    public void launch(FrameworkInfo frameworkInfo, TaskInfo task) {
        String frameworkId = frameworkInfo.getId().getValue();
        AgentFramework framework = frameworks.computeIfAbsent(frameworkId,
                id -> new AgentFramework(id, frameworkInfo));
        boolean commandTask = !task.hasExecutor();
        if (commandTask) {
            task = task.toBuilder().setExecutor(commandExecutor(frameworkId, task)).build();
        }
        String executorId = task.getExecutor().getExecutorId().getValue();
        ExecutorRun run = framework.executors.get(executorId);
        if (run != null && (run.state == ExecutorRun.State.TERMINATING || run.state == ExecutorRun.State.TERMINATED)) {
            agentUpdate(run, task.getTaskId(), TaskState.TASK_LOST, TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                    "Executor terminating");
            return;
        }
        if (run == null) {
            String containerId = UUID.randomUUID().toString();
            Path sandbox = ctx.workDir().resolve(Path.of("slaves", ctx.agentId(), "frameworks", frameworkId,
                    "executors", executorId, "runs", containerId));
            run = new ExecutorRun(frameworkId, frameworkInfo, task.getExecutor(), containerId, sandbox);
            run.commandTask = commandTask;
            // Like the agent's generateSecret before launchExecutor: bound to this run's container, so neither
            // another executor nor a later run of the same executor id can use it.
            run.token = commandTask ? null : tokens.issue(frameworkId, executorId, containerId);
            framework.executors.put(executorId, run);
            start(run);
        }
        run.tasks.put(task.getTaskId().getValue(), Task.newBuilder()
                .setName(task.getName())
                .setTaskId(task.getTaskId())
                .setFrameworkId(FrameworkID.newBuilder().setValue(frameworkId))
                .setExecutorId(task.getExecutor().getExecutorId())
                .setAgentId(ctx.agentIdProto())
                .setState(TaskState.TASK_STAGING)
                .addAllResources(task.getResourcesList()));
        if (run.state == ExecutorRun.State.RUNNING) {
            sendLaunch(run, task);
        } else {
            run.queued.add(task);
        }
    }

    /**
     * Starts an executor ahead of the launch whose shell command is {@code commandValue}, on an I/O thread
     * ({@link StandbyExecutor}). A failure only means that the launch starts its command as usual.
     */
    public void prepareExecutor(String commandValue, List<String> command, Path file) {
        io.execute(() -> {
            try {
                launcher.prepare(commandValue, command, file);
            } catch (java.io.IOException | RuntimeException e) {
                // the launch will start the command itself
            }
        });
    }

    private void start(ExecutorRun run) {
        CompletableFuture.supplyAsync(() -> {
            try {
                checkUser(run);
                ProcessTree process = launcher.launch(run);
                launched.add(process);
                // Forgotten once it ends: its process group id may then be reused by an unrelated process.
                process.process().onExit().thenRun(() -> launched.remove(process));
                return process;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, io).whenCompleteAsync((process, error) -> started(run, process, error), ctx.loop());
    }

    /**
     * A Mesos agent runs an executor as its command's user, else the framework's ({@code --switch_user}); this one
     * runs everything as the JVM's own user and cannot switch, so it refuses any other rather than run a task as a
     * user it was not meant for (a Mesos agent that may not switch users fails the launch the same way).
     */
    private static void checkUser(ExecutorRun run) {
        String me = System.getProperty("user.name");
        String wanted = run.info.getCommand().hasUser() ? run.info.getCommand().getUser()
                : run.framework.getUser();
        if (!wanted.isEmpty() && !wanted.equals(me)) {
            throw new IllegalStateException("The embedded agent runs executors as '" + me + "' and cannot switch to"
                    + " user '" + wanted + "' (" + (run.info.getCommand().hasUser() ? "CommandInfo.user"
                    : "FrameworkInfo.user") + "): build as '" + me + "'");
        }
    }

    /**
     * For shutdown, once no launch can be under way any more: kills every executor still running, including one
     * whose launch finished after {@link #killAll()} (its completion could no longer reach the stopped loop, so
     * nothing else would). Only processes still running: an ended one's group id is not ours any more.
     */
    public void killLaunched() {
        launcher.discardStandby();
        for (ProcessTree process : List.copyOf(launched)) {
            if (process.process().isAlive()) {
                process.kill();
            }
        }
    }

    private void started(ExecutorRun run, ProcessTree process, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            // A real agent says only how the fetcher exited; its reasons are in the sandbox's stderr.
            String message = "Failed to launch container: " + (cause instanceof Fetcher.FetchException
                    ? "Failed to fetch all URIs for container '" + run.containerId + "': exited with status 1"
                    : cause.getMessage());
            LOG.log(Level.FINE, message + (cause instanceof Fetcher.FetchException ? " (" + cause.getMessage()
                    + ")" : ""));
            run.terminationReason = TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED;
            run.terminationMessage = message;
            run.state = ExecutorRun.State.TERMINATED;
            terminated(run, null);
            return;
        }
        run.process = process;
        if (run.state == ExecutorRun.State.TERMINATING) {
            // Shut down (teardown, kill of its only task) while it was being fetched.
            process.kill();
        } else if (run.commandTask) {
            run.state = ExecutorRun.State.RUNNING;
            for (TaskInfo task : run.queued) {
                commandUpdate(run, task.getTaskId(), TaskState.TASK_STARTING, null);
                commandUpdate(run, task.getTaskId(), TaskState.TASK_RUNNING, null);
            }
            run.queued.clear();
        } else if (run.state == ExecutorRun.State.RUNNING) {
            // It subscribed before its launch was recorded here: a standby executor is warm and can be that quick.
        } else {
            run.state = ExecutorRun.State.REGISTERING;
            long timeout = ctx.config().executorRegistrationTimeout().toMillis();
            run.registrationTimer = ctx.loop().schedule(() -> {
                if (run.state == ExecutorRun.State.REGISTERING) {
                    run.terminationReason = TaskStatus.Reason.REASON_EXECUTOR_REGISTRATION_TIMEOUT;
                    run.terminationMessage = "Executor did not register within "
                            + NodeContext.mesosDuration(ctx.config().executorRegistrationTimeout());
                    destroy(run);
                }
            }, timeout, TimeUnit.MILLISECONDS);
        }
        process.process().onExit().whenCompleteAsync((p, e) -> exited(run), ctx.loop());
    }

    private void exited(ExecutorRun run) {
        if (run.state == ExecutorRun.State.TERMINATED) {
            return;
        }
        int exitCode = run.process.process().exitValue();
        // Mesos reports the wait(2) status: the exit code in the high byte, or the signal number.
        Integer waitStatus;
        if (run.killedByAgent) {
            waitStatus = 9;
        } else if (exitCode > 128 && exitCode < 160) {
            waitStatus = exitCode - 128;
        } else {
            waitStatus = exitCode << 8;
        }
        // The container is gone with its executor: kill what it left behind in its process group.
        run.process.kill();
        run.state = ExecutorRun.State.TERMINATED;
        if (run.commandTask) {
            // What Mesos's command executor reports when its command ends; the executor itself exits cleanly.
            for (Task.Builder task : List.copyOf(run.tasks.values())) {
                if (TaskStates.isTerminal(task.getState())) {
                    continue;
                }
                String message = waitStatus < 256 && waitStatus != 0
                        ? "Command terminated with signal " + waitStatus
                        : "Command exited with status " + (waitStatus >> 8);
                TaskState state = run.killRequested.contains(task.getTaskId().getValue()) ? TaskState.TASK_KILLED
                        : waitStatus == 0 ? TaskState.TASK_FINISHED : TaskState.TASK_FAILED;
                commandUpdate(run, task.getTaskId(), state, message);
            }
            waitStatus = 0;
        }
        terminated(run, waitStatus);
    }

    /** Fails the run's remaining tasks, tells the master, and files the run among the completed ones. */
    private void terminated(ExecutorRun run, Integer waitStatus) {
        cancelTimers(run);
        if (run.stream != null) {
            run.stream.close();
            run.stream = null;
        }
        for (Task.Builder task : List.copyOf(run.tasks.values())) {
            if (!TaskStates.isTerminal(task.getState())) {
                boolean killed = run.killRequested.contains(task.getTaskId().getValue());
                agentUpdate(run, task.getTaskId(), killed ? TaskState.TASK_KILLED : TaskState.TASK_FAILED,
                        run.terminationReason, run.terminationMessage);
            }
        }
        run.queued.clear();
        AgentFramework framework = frameworks.get(run.frameworkId);
        if (framework != null) {
            framework.executors.remove(run.id(), run);
            framework.completedExecutors.add(run);
            if (framework.removed && framework.executors.isEmpty()) {
                frameworks.remove(framework.id);
                completedFrameworks.add(framework);
            }
        }
        master.executorTerminated(run.frameworkId, run.id(), waitStatus);
    }

    private static void cancelTimers(ExecutorRun run) {
        if (run.registrationTimer != null) {
            run.registrationTimer.cancel(false);
        }
        if (run.shutdownTimer != null) {
            run.shutdownTimer.cancel(false);
        }
        if (run.heartbeat != null) {
            run.heartbeat.cancel(false);
        }
    }

    /** Kills the run's processes now; its exit is then handled like any other. */
    private void destroy(ExecutorRun run) {
        if (run.state == ExecutorRun.State.TERMINATED) {
            return;
        }
        if (run.process == null) {
            run.state = ExecutorRun.State.TERMINATING;
            return;
        }
        run.killedByAgent = true;
        run.state = ExecutorRun.State.TERMINATING;
        io.execute(run.process::kill);
    }

    public void killTask(String frameworkId, String taskId) {
        ExecutorRun run = findRun(frameworkId, taskId);
        if (run == null) {
            return;
        }
        Optional<TaskInfo> queued = run.queued.stream().filter(t -> t.getTaskId().getValue().equals(taskId))
                .findFirst();
        if (queued.isPresent()) {
            run.queued.remove(queued.get());
            agentUpdate(run, queued.get().getTaskId(), TaskState.TASK_KILLED,
                    TaskStatus.Reason.REASON_TASK_KILLED_DURING_LAUNCH, "Killed before delivery to the executor");
            if (run.tasks.values().stream().allMatch(t -> TaskStates.isTerminal(t.getState()))) {
                // Nothing left for it to run: Mesos shuts down an executor that never got a task.
                run.killRequested.add(taskId);
                shutdown(run);
            }
            return;
        }
        if (run.commandTask && run.state == ExecutorRun.State.RUNNING) {
            // The command executor's kill: SIGTERM, then SIGKILL after the kill policy's grace period (3s).
            run.killRequested.add(taskId);
            run.state = ExecutorRun.State.TERMINATING;
            io.execute(run.process::terminate);
            long grace = 3000;
            run.shutdownTimer = ctx.loop().schedule(() -> destroy(run), grace, TimeUnit.MILLISECONDS);
            return;
        }
        if (run.state == ExecutorRun.State.RUNNING && run.stream != null) {
            run.killRequested.add(taskId);
            run.stream.send(Event.newBuilder().setType(Event.Type.KILL)
                    .setKill(Event.Kill.newBuilder().setTaskId(TaskID.newBuilder().setValue(taskId))).build());
        }
    }

    public void shutdownExecutor(String frameworkId, String executorId) {
        AgentFramework framework = frameworks.get(frameworkId);
        ExecutorRun run = framework == null ? null : framework.executors.get(executorId);
        if (run != null) {
            shutdown(run);
        }
    }

    /** SHUTDOWN to a subscribed executor, and SIGKILL after its grace period; at once otherwise. */
    private void shutdown(ExecutorRun run) {
        if (run.state == ExecutorRun.State.TERMINATED || run.state == ExecutorRun.State.TERMINATING) {
            return;
        }
        if (run.state == ExecutorRun.State.RUNNING && run.stream != null) {
            run.state = ExecutorRun.State.TERMINATING;
            run.stream.send(Event.newBuilder().setType(Event.Type.SHUTDOWN).build());
            run.shutdownTimer = ctx.loop().schedule(() -> destroy(run), launcher.shutdownGracePeriod(run).toMillis(), TimeUnit.MILLISECONDS);
        } else {
            destroy(run);
        }
    }

    public void teardownFramework(String frameworkId) {
        updates.keySet().removeIf(key -> key.frameworkId().equals(frameworkId));
        seenUuids.keySet().removeIf(key -> key.frameworkId().equals(frameworkId));
        AgentFramework framework = frameworks.get(frameworkId);
        if (framework == null) {
            return;
        }
        framework.removed = true;
        if (framework.executors.isEmpty()) {
            frameworks.remove(frameworkId);
            completedFrameworks.add(framework);
            return;
        }
        List.copyOf(framework.executors.values()).forEach(this::shutdown);
    }

    public void frameworkMessage(String frameworkId, String executorId, ByteString data) {
        AgentFramework framework = frameworks.get(frameworkId);
        ExecutorRun run = framework == null ? null : framework.executors.get(executorId);
        if (run != null && run.stream != null && run.state == ExecutorRun.State.RUNNING) {
            run.stream.send(Event.newBuilder().setType(Event.Type.MESSAGE)
                    .setMessage(Event.Message.newBuilder().setData(data)).build());
        }
    }

    /** The scheduler acknowledged an update: returns its state if it was the one awaited. */
    public Optional<TaskState> acknowledge(String frameworkId, String taskId, ByteString uuid) {
        TaskKey key = new TaskKey(frameworkId, taskId);
        Deque<TaskStatus> queue = updates.get(key);
        if (queue == null || queue.isEmpty() || !queue.peekFirst().getUuid().equals(uuid)) {
            LOG.fine(() -> "Ignoring unexpected acknowledgement for task " + taskId);
            return Optional.empty();
        }
        TaskStatus acknowledged = queue.removeFirst();
        ExecutorRun run = findRun(frameworkId, taskId);
        if (run != null && run.stream != null && acknowledged.getSource() == TaskStatus.Source.SOURCE_EXECUTOR) {
            run.stream.send(Event.newBuilder().setType(Event.Type.ACKNOWLEDGED)
                    .setAcknowledged(Event.Acknowledged.newBuilder().setTaskId(acknowledged.getTaskId())
                            .setUuid(uuid)).build());
        }
        if (!queue.isEmpty()) {
            master.statusUpdate(frameworkId, queue.peekFirst());
        } else if (TaskStates.isTerminal(acknowledged.getState())) {
            updates.remove(key);
            seenUuids.remove(key);
        }
        return Optional.of(acknowledged.getState());
    }

    // ---------------------------------------------------------------- executor calls

    /** SUBSCRIBE: attaches the stream, sends SUBSCRIBED and the queued tasks. */
    public void subscribe(Call call, Principal principal, EventStream stream) throws BadRequestException {
        ExecutorRun run = lookup(call, principal);
        if (run.state == ExecutorRun.State.TERMINATING) {
            throw new BadRequestException(403, "Executor is terminating");
        }
        if (run.stream != null) {
            run.stream.close();
        }
        if (run.registrationTimer != null) {
            run.registrationTimer.cancel(false);
        }
        run.stream = stream;
        run.state = ExecutorRun.State.RUNNING;
        if (run.heartbeat != null) {
            run.heartbeat.cancel(false);
        }
        // Like the agent's --http_heartbeat_interval: lets both ends notice a dead connection.
        long heartbeatMillis = ctx.config().heartbeatInterval().toMillis();
        run.heartbeat = ctx.loop().scheduleAtFixedRate(() -> {
            if (run.stream == stream) {
                stream.send(Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
            }
        }, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        stream.send(Event.newBuilder().setType(Event.Type.SUBSCRIBED)
                .setSubscribed(Event.Subscribed.newBuilder()
                        .setExecutorInfo(run.info)
                        .setFrameworkInfo(run.framework)
                        .setAgentInfo(agentInfo())
                        .setContainerId(ContainerID.newBuilder().setValue(run.containerId)))
                .build());
        for (TaskInfo task : List.copyOf(run.queued)) {
            sendLaunch(run, task);
        }
        run.queued.clear();
    }

    public void executorStreamBroken(EventStream stream) {
        for (AgentFramework framework : frameworks.values()) {
            for (ExecutorRun run : framework.executors.values()) {
                if (run.stream == stream) {
                    // Like a non-checkpointing Mesos agent, wait for the process itself to end.
                    run.stream = null;
                }
            }
        }
    }

    public void update(Call call, Principal principal) throws BadRequestException {
        ExecutorRun run = lookup(call, principal);
        TaskStatus status = call.getUpdate().getStatus().toBuilder()
                .setExecutorId(run.info.getExecutorId())
                .setAgentId(ctx.agentIdProto())
                .setSource(TaskStatus.Source.SOURCE_EXECUTOR)
                .setTimestamp(call.getUpdate().getStatus().hasTimestamp()
                        ? call.getUpdate().getStatus().getTimestamp() : ctx.now())
                .setContainerStatus(containerStatus(run))
                .build();
        TaskKey key = new TaskKey(run.frameworkId, status.getTaskId().getValue());
        if (!seenUuids.computeIfAbsent(key, k -> new HashSet<>()).add(status.getUuid())) {
            return;
        }
        Task.Builder task = run.tasks.get(status.getTaskId().getValue());
        if (task != null) {
            task.setState(status.getState());
            task.addStatuses(status.toBuilder().clearData().clearUuid());
        }
        enqueue(run.frameworkId, status);
    }

    public void message(Call call, Principal principal) throws BadRequestException {
        ExecutorRun run = lookup(call, principal);
        if (ctx.config().dropExecutorMessages().test(executorMessages++)) {
            return; // accepted and lost, as framework messages may be on a real cluster
        }
        master.executorMessage(run.frameworkId, run.id(), call.getMessage().getData());
    }

    /**
     * The checks every executor call goes through after authentication, in the order of the agent's
     * {@code Http::executor}: the framework and the executor must exist, the authenticated principal's claims must
     * name them and their current container ({@code verifyExecutorClaims}), and only SUBSCRIBE is allowed before the
     * executor has subscribed.
     */
    private ExecutorRun lookup(Call call, Principal principal) throws BadRequestException {
        AgentFramework framework = frameworks.get(call.getFrameworkId().getValue());
        if (framework == null) {
            throw new BadRequestException("Framework cannot be found");
        }
        ExecutorRun run = framework.executors.get(call.getExecutorId().getValue());
        if (run == null) {
            throw new BadRequestException("Executor cannot be found");
        }
        String error = verifyExecutorClaims(principal, call.getFrameworkId().getValue(),
                call.getExecutorId().getValue(), run.containerId);
        if (error != null) {
            throw new BadRequestException(403, error);
        }
        if (call.getType() != Call.Type.SUBSCRIBE
                && (run.state == ExecutorRun.State.REGISTERING || run.state == ExecutorRun.State.LAUNCHING)) {
            throw new BadRequestException(403, "Executor is not subscribed");
        }
        return run;
    }

    /** slave/http.cpp's {@code verifyExecutorClaims}, with its texts; null when the claims fit the call. */
    static String verifyExecutorClaims(Principal principal, String frameworkId, String executorId,
                                       String containerId) {
        if (!frameworkId.equals(principal.claims().get("fid"))) {
            return "Authenticated principal '" + principal + "' does not contain an 'fid' claim with the framework ID "
                    + frameworkId + ", which is set in the call";
        }
        if (!executorId.equals(principal.claims().get("eid"))) {
            return "Authenticated principal '" + principal + "' does not contain an 'eid' claim with the executor ID "
                    + executorId + ", which is set in the call";
        }
        if (!containerId.equals(principal.claims().get("cid"))) {
            return "Authenticated principal '" + principal + "' does not contain a 'cid' claim with the correct "
                    + "active ContainerID";
        }
        return null;
    }

    private void sendLaunch(ExecutorRun run, TaskInfo task) {
        run.stream.send(Event.newBuilder().setType(Event.Type.LAUNCH)
                .setLaunch(Event.Launch.newBuilder().setTask(task)).build());
    }

    /** The ExecutorInfo Mesos makes up for a command task: its id is the task's. */
    private static org.apache.mesos.v1.Protos.ExecutorInfo commandExecutor(String frameworkId, TaskInfo task) {
        return org.apache.mesos.v1.Protos.ExecutorInfo.newBuilder()
                .setType(org.apache.mesos.v1.Protos.ExecutorInfo.Type.CUSTOM)
                .setExecutorId(ExecutorID.newBuilder().setValue(task.getTaskId().getValue()))
                .setFrameworkId(FrameworkID.newBuilder().setValue(frameworkId))
                .setName("Command Executor (Task: " + task.getTaskId().getValue() + ") (Command: sh -c '"
                        + task.getCommand().getValue() + "')")
                .setSource(task.getTaskId().getValue())
                .setCommand(task.getCommand())
                .build();
    }

    private void commandUpdate(ExecutorRun run, TaskID taskId, TaskState state, String message) {
        TaskStatus.Builder status = TaskStatus.newBuilder()
                .setTaskId(taskId)
                .setState(state)
                .setSource(TaskStatus.Source.SOURCE_EXECUTOR)
                .setAgentId(ctx.agentIdProto())
                .setExecutorId(run.info.getExecutorId())
                .setTimestamp(ctx.now())
                .setUuid(MesosUuids.bytes(UUID.randomUUID()))
                .setContainerStatus(containerStatus(run));
        if (message != null) {
            status.setMessage(message);
        }
        Task.Builder task = run.tasks.get(taskId.getValue());
        if (task != null) {
            task.setState(state);
            task.addStatuses(status.clone().clearUuid());
        }
        enqueue(run.frameworkId, status.build());
    }

    // ---------------------------------------------------------------- status update manager

    private void agentUpdate(ExecutorRun run, TaskID taskId, TaskState state, TaskStatus.Reason reason,
                             String message) {
        TaskStatus status = TaskStatus.newBuilder()
                .setTaskId(taskId)
                .setState(state)
                .setSource(TaskStatus.Source.SOURCE_AGENT)
                .setReason(reason)
                .setMessage(message)
                .setAgentId(ctx.agentIdProto())
                .setExecutorId(run.info.getExecutorId())
                .setTimestamp(ctx.now())
                .setUuid(MesosUuids.bytes(UUID.randomUUID()))
                .setContainerStatus(ContainerStatus.newBuilder()
                        .setContainerId(ContainerID.newBuilder().setValue(run.containerId)))
                .build();
        Task.Builder task = run.tasks.get(taskId.getValue());
        if (task != null) {
            task.setState(state);
            task.addStatuses(status.toBuilder().clearUuid());
        }
        enqueue(run.frameworkId, status);
    }

    private void enqueue(String frameworkId, TaskStatus status) {
        AgentFramework framework = frameworks.get(frameworkId);
        if (framework == null || framework.removed) {
            return;
        }
        Deque<TaskStatus> queue = updates.computeIfAbsent(new TaskKey(frameworkId, status.getTaskId().getValue()),
                k -> new ArrayDeque<>());
        queue.addLast(status);
        if (queue.size() == 1) {
            master.statusUpdate(frameworkId, status);
        }
    }

    private ContainerStatus containerStatus(ExecutorRun run) {
        ContainerStatus.Builder status = ContainerStatus.newBuilder()
                .setContainerId(ContainerID.newBuilder().setValue(run.containerId))
                .addNetworkInfos(NetworkInfo.newBuilder().addIpAddresses(NetworkInfo.IPAddress.newBuilder()
                        .setProtocol(NetworkInfo.Protocol.IPv4).setIpAddress("127.0.0.1")));
        if (run.process != null) {
            status.setExecutorPid((int) run.process.pid());
        }
        return status.build();
    }

    private ExecutorRun findRun(String frameworkId, String taskId) {
        AgentFramework framework = frameworks.get(frameworkId);
        if (framework == null) {
            return null;
        }
        for (ExecutorRun run : framework.executors.values()) {
            if (run.tasks.containsKey(taskId)) {
                return run;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- shutdown and /state

    /** Kills every executor's process tree; used when the node stops. */
    public void killAll() {
        launcher.discardStandby();
        for (AgentFramework framework : frameworks.values()) {
            for (ExecutorRun run : framework.executors.values()) {
                cancelTimers(run);
                if (run.stream != null) {
                    run.stream.close();
                }
                if (run.process != null) {
                    run.killedByAgent = true;
                    run.process.kill();
                }
            }
        }
    }

    /**
     * The file a {@code /files/read} path names: a real path, or the virtual path the Mesos agent serves each
     * executor's latest run under, {@code /frameworks/<framework>/executors/<executor>/runs/latest[/file]}.
     * Depends on nothing but the node's identity, so any thread may call it.
     */
    public Path filesPath(String path) {
        if (VIRTUAL_SANDBOX.matcher(path).matches()) {
            return ctx.workDir().resolve("slaves").resolve(ctx.agentId()).resolve(path.substring(1));
        }
        return Path.of(path);
    }

    /** Whether {@code path} is inside an executor sandbox (what /files/read may serve). */
    public boolean isSandboxPath(Path path) {
        Path root = ctx.workDir().resolve("slaves");
        try {
            Path real = path.toRealPath();
            return real.startsWith(root.toRealPath());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    Resources total() {
        return total;
    }

    double startTime() {
        return startTime;
    }

    Map<String, AgentFramework> frameworks() {
        return frameworks;
    }

    List<AgentFramework> completedFrameworks() {
        return completedFrameworks;
    }

    NodeContext context() {
        return ctx;
    }
}
