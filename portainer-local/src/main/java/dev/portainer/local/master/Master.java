package dev.portainer.local.master;

import dev.portainer.wire.mesos.TaskStates;

import com.google.protobuf.ByteString;
import dev.portainer.local.NodeContext;
import dev.portainer.local.agent.Agent;
import dev.portainer.local.http.BadRequestException;
import dev.portainer.local.http.EventStream;
import dev.portainer.local.resources.InvalidResourcesException;
import dev.portainer.local.resources.Resources;
import org.apache.mesos.v1.Protos.Address;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.URL;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The master of the single node: frameworks, offers and the allocator, and the scheduler calls. Every method runs
 * on the event loop ({@link NodeContext#loop()}); nothing here locks.
 */
public final class Master {
    private static final Logger LOG = Logger.getLogger(Master.class.getName());
    private static final double DEFAULT_REFUSE_SECONDS = 5.0;
    private static final Resources MIN_CPUS = Resources.of(0.01, 0, 0, List.of());
    private static final Resources MIN_MEM = Resources.of(0, 32, 0, List.of());

    private final NodeContext ctx;
    private final Resources total;
    private final double startTime;
    private final Map<String, Framework> frameworks = new LinkedHashMap<>();
    private final Deque<Framework> completedFrameworks = new ArrayDeque<>();
    private final Map<String, Offer> offers = new LinkedHashMap<>();
    private Agent agent;
    private int nextFrameworkId;
    private int nextOfferId;

    public Master(NodeContext ctx, Resources total) {
        this.ctx = ctx;
        this.total = total;
        this.startTime = ctx.now();
    }

    public void attach(Agent agent) {
        this.agent = agent;
        ctx.loop().scheduleWithFixedDelay(this::allocate, ctx.config().allocationInterval().toMillis(),
                ctx.config().allocationInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    public MasterInfo masterInfo() {
        return MasterInfo.newBuilder()
                .setId(ctx.masterId())
                .setIp(loopbackIpAsInt())
                .setPort(ctx.masterPort())
                .setPid(ctx.masterPid())
                .setHostname(ctx.hostname())
                .setVersion(NodeContext.VERSION)
                .setAddress(Address.newBuilder().setHostname(ctx.hostname()).setIp("127.0.0.1")
                        .setPort(ctx.masterPort()))
                .build();
    }

    /** Mesos puts the IPv4 address in network byte order into a host-order int: 127.0.0.1 is 16777343. */
    private static int loopbackIpAsInt() {
        return 127 | (1 << 24);
    }

    // ---------------------------------------------------------------- SUBSCRIBE and the stream

    /** Subscribes (or fails over) a framework onto {@code stream}; returns the new stream id. */
    public String subscribe(Call.Subscribe subscribe, EventStream stream) {
        String streamId = UUID.randomUUID().toString();
        FrameworkInfo requested = subscribe.getFrameworkInfo();
        Framework framework;
        if (requested.hasId()) {
            String id = requested.getId().getValue();
            framework = frameworks.get(id);
            if (framework == null && completedFrameworks.stream().anyMatch(f -> f.id.equals(id))) {
                stream.send(Event.newBuilder().setType(Event.Type.ERROR)
                        .setError(Event.Error.newBuilder().setMessage("Framework has been removed")).build());
                stream.close();
                return streamId;
            }
            if (framework == null) {
                // A framework that was subscribed to a previous master keeps its id, as after a master failover.
                framework = new Framework(id, requested, ctx.now());
                frameworks.put(id, framework);
            } else {
                failOver(framework);
            }
        } else {
            String id = ctx.masterId() + "-" + String.format("%04d", nextFrameworkId++);
            framework = new Framework(id, requested, ctx.now());
            frameworks.put(id, framework);
        }
        framework.info = requested.toBuilder().setId(FrameworkID.newBuilder().setValue(framework.id)).build();
        framework.stream = stream;
        framework.streamId = streamId;
        framework.unregisteredTime = 0;
        if (framework.failover != null) {
            framework.failover.cancel(false);
            framework.failover = null;
        }
        framework.suppressed = subscribe.getSuppressedRolesCount() > 0;
        double interval = ctx.config().heartbeatInterval().toMillis() / 1000.0;
        framework.send(Event.newBuilder().setType(Event.Type.SUBSCRIBED)
                .setSubscribed(Event.Subscribed.newBuilder()
                        .setFrameworkId(FrameworkID.newBuilder().setValue(framework.id))
                        .setHeartbeatIntervalSeconds(interval)
                        .setMasterInfo(masterInfo()))
                .build());
        Framework subscribed = framework;
        long millis = ctx.config().heartbeatInterval().toMillis();
        framework.heartbeat = ctx.loop().scheduleAtFixedRate(
                () -> subscribed.send(Event.newBuilder().setType(Event.Type.HEARTBEAT).build()),
                millis, millis, TimeUnit.MILLISECONDS);
        agent.frameworkSubscribed(framework.id, framework.info);
        ctx.loop().execute(this::allocate);
        LOG.fine(() -> "Framework " + subscribed.id + " (" + subscribed.info.getName() + ") subscribed");
        return streamId;
    }

    private void failOver(Framework framework) {
        if (framework.stream != null) {
            framework.stream.send(Event.newBuilder().setType(Event.Type.ERROR)
                    .setError(Event.Error.newBuilder().setMessage("Framework failed over")).build());
            framework.stream.close();
        }
        if (framework.heartbeat != null) {
            framework.heartbeat.cancel(false);
        }
        rescindOffers(framework);
    }

    /** The scheduler's connection is gone: keep the framework for its failover_timeout, then tear it down. */
    public void streamBroken(EventStream stream) {
        for (Framework framework : List.copyOf(frameworks.values())) {
            if (framework.stream != stream) {
                continue;
            }
            framework.stream = null;
            framework.streamId = null;
            framework.unregisteredTime = ctx.now();
            if (framework.heartbeat != null) {
                framework.heartbeat.cancel(false);
            }
            rescindOffers(framework);
            long timeoutMillis = (long) (framework.info.getFailoverTimeout() * 1000);
            if (timeoutMillis <= 0) {
                removeFramework(framework);
            } else {
                framework.failover = ctx.loop().schedule(() -> {
                    if (!framework.connected() && frameworks.get(framework.id) == framework) {
                        removeFramework(framework);
                    }
                }, timeoutMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Fault injection: every scheduler's connection breaks at once, as a network failure would do it. */
    public void dropStreams() {
        for (Framework framework : List.copyOf(frameworks.values())) {
            EventStream stream = framework.stream;
            if (stream != null) {
                stream.close();
                streamBroken(stream);
            }
        }
    }

    // ---------------------------------------------------------------- other calls

    /** Handles a non-SUBSCRIBE call; throws with Mesos's status and text when Mesos would refuse it. */
    public void call(Call call, String streamId) throws BadRequestException {
        Framework framework = frameworks.get(call.getFrameworkId().getValue());
        if (framework == null) {
            throw new BadRequestException("Framework cannot be found");
        }
        if (!framework.connected()) {
            throw new BadRequestException(403, "Framework is not subscribed");
        }
        if (streamId == null) {
            throw new BadRequestException("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
        }
        if (!streamId.equals(framework.streamId)) {
            throw new BadRequestException("The stream ID '" + streamId + "' included in this request didn't match"
                    + " the stream ID currently associated with framework ID " + framework.id);
        }
        switch (call.getType()) {
            case TEARDOWN -> removeFramework(framework);
            case ACCEPT -> accept(framework, call.getAccept());
            case DECLINE -> decline(framework, call.getDecline());
            case REVIVE -> {
                framework.filters.clear();
                framework.suppressed = false;
                ctx.loop().execute(this::allocate);
            }
            case SUPPRESS -> framework.suppressed = true;
            case KILL -> kill(framework, call.getKill());
            case SHUTDOWN -> agent.shutdownExecutor(framework.id, call.getShutdown().getExecutorId().getValue());
            case ACKNOWLEDGE -> acknowledge(framework, call.getAcknowledge());
            case RECONCILE -> reconcile(framework, call.getReconcile());
            case MESSAGE -> {
                if (call.getMessage().getAgentId().getValue().equals(ctx.agentId())) {
                    agent.frameworkMessage(framework.id, call.getMessage().getExecutorId().getValue(),
                            call.getMessage().getData());
                }
            }
            case REQUEST -> {
                // Mesos's allocator ignores requests too.
            }
            case UPDATE_FRAMEWORK -> framework.info = call.getUpdateFramework().getFrameworkInfo().toBuilder()
                    .setId(FrameworkID.newBuilder().setValue(framework.id)).build();
            default -> throw new BadRequestException(501, "Call " + call.getType()
                    + " is not implemented by portainer-local");
        }
    }

    private void removeFramework(Framework framework) {
        if (frameworks.remove(framework.id) == null) {
            return;
        }
        rescindOffers(framework);
        if (framework.heartbeat != null) {
            framework.heartbeat.cancel(false);
        }
        if (framework.failover != null) {
            framework.failover.cancel(false);
        }
        if (framework.stream != null) {
            framework.stream.close();
            framework.stream = null;
        }
        for (Task.Builder task : framework.tasks.values()) {
            if (!TaskStates.isTerminal(task.getState())) {
                task.setState(TaskState.TASK_KILLED);
            }
            framework.completeTask(task.build());
        }
        framework.tasks.clear();
        framework.unregisteredTime = ctx.now();
        completedFrameworks.addLast(framework);
        while (completedFrameworks.size() > 50) {
            completedFrameworks.removeFirst();
        }
        agent.teardownFramework(framework.id);
        LOG.fine(() -> "Framework " + framework.id + " removed");
        ctx.loop().execute(this::allocate);
    }

    // ---------------------------------------------------------------- offers

    private Resources used() {
        Resources used = Resources.EMPTY;
        for (Framework framework : frameworks.values()) {
            used = used.plus(usedBy(framework));
        }
        return used;
    }

    private Resources usedBy(Framework framework) {
        Resources used = Resources.EMPTY;
        for (Task.Builder task : framework.tasks.values()) {
            if (!TaskStates.isTerminal(task.getState())) {
                used = used.plus(parse(task.getResourcesList()));
            }
        }
        for (ExecutorInfo executor : framework.executors.values()) {
            used = used.plus(parse(executor.getResourcesList()));
        }
        return used;
    }

    private Resources offered(String frameworkId) {
        Resources offered = Resources.EMPTY;
        for (Offer offer : offers.values()) {
            if (frameworkId == null || offer.getFrameworkId().getValue().equals(frameworkId)) {
                offered = offered.plus(parse(offer.getResourcesList()));
            }
        }
        return offered;
    }

    private static Resources parse(List<Resource> resources) {
        try {
            return Resources.fromProto(resources);
        } catch (InvalidResourcesException e) {
            // Only resources that passed validation are ever stored.
            throw new IllegalStateException(e);
        }
    }

    /** Offers every free resource of the agent to the connected frameworks that want offers, least-used first. */
    void allocate() {
        Instant now = ctx.clock().instant();
        Resources free = total.minus(used()).minus(offered(null));
        List<Framework> candidates = new ArrayList<>(frameworks.values());
        candidates.sort(Comparator.comparingDouble(f -> usedBy(f).scalar("cpus")));
        for (Framework framework : candidates) {
            if (!framework.connected() || framework.suppressed) {
                continue;
            }
            if (!free.contains(MIN_CPUS) && !free.contains(MIN_MEM)) {
                return;
            }
            framework.filters.removeIf(filter -> !filter.until().isAfter(now));
            Resources candidate = free;
            if (framework.filters.stream().anyMatch(filter -> filter.resources().contains(candidate))) {
                continue;
            }
            OfferID offerId = OfferID.newBuilder().setValue(ctx.masterId() + "-O" + nextOfferId++).build();
            Offer.Builder offer = Offer.newBuilder()
                    .setId(offerId)
                    .setFrameworkId(FrameworkID.newBuilder().setValue(framework.id))
                    .setAgentId(ctx.agentIdProto())
                    .setHostname(ctx.hostname())
                    .setUrl(URL.newBuilder().setScheme("http")
                            .setAddress(Address.newBuilder().setHostname(ctx.hostname()).setIp("127.0.0.1")
                                    .setPort(ctx.agentPort()))
                            .setPath("/slave(1)"))
                    .addAllResources(free.toProto(framework.role()))
                    .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(framework.role()));
            offer.addAllAttributes(attributes(ctx.config().attributes()));
            framework.executors.keySet().forEach(id -> offer.addExecutorIds(ExecutorID.newBuilder().setValue(id)));
            Offer built = offer.build();
            offers.put(offerId.getValue(), built);
            framework.send(Event.newBuilder().setType(Event.Type.OFFERS)
                    .setOffers(Event.Offers.newBuilder().addOffers(built)).build());
            free = Resources.EMPTY;
        }
    }

    /** Takes back a framework's outstanding offers (it is going away or failing over, so no RESCIND is sent). */
    private void rescindOffers(Framework framework) {
        offers.values().removeIf(offer -> offer.getFrameworkId().getValue().equals(framework.id));
    }

    private void recover(Framework framework, Resources resources, Filters filters) {
        double refuse = filters.hasRefuseSeconds() ? filters.getRefuseSeconds() : DEFAULT_REFUSE_SECONDS;
        if (!resources.isEmpty() && refuse > 0 && !Double.isNaN(refuse)) {
            // Mesos caps filters at a year; so do we, to keep Instant arithmetic safe.
            long millis = (long) (Math.min(refuse, 365.0 * 24 * 3600) * 1000);
            framework.filters.add(new Framework.Filter(resources, ctx.clock().instant().plusMillis(millis)));
            ctx.loop().schedule(this::allocate, millis + 5, TimeUnit.MILLISECONDS);
        }
        ctx.loop().execute(this::allocate);
    }

    private void decline(Framework framework, Call.Decline decline) {
        Resources declined = Resources.EMPTY;
        for (OfferID id : decline.getOfferIdsList()) {
            Offer offer = offers.get(id.getValue());
            if (offer != null && offer.getFrameworkId().getValue().equals(framework.id)) {
                offers.remove(id.getValue());
                declined = declined.plus(parse(offer.getResourcesList()));
            }
        }
        recover(framework, declined, decline.getFilters());
    }

    private void accept(Framework framework, Call.Accept accept) {
        String offerError = validateOffers(framework, accept.getOfferIdsList());
        if (offerError != null) {
            for (OfferID id : accept.getOfferIdsList()) {
                Offer offer = offers.get(id.getValue());
                if (offer != null && offer.getFrameworkId().getValue().equals(framework.id)) {
                    offers.remove(id.getValue());
                }
            }
            TaskState state = framework.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
            for (Offer.Operation operation : accept.getOperationsList()) {
                for (TaskInfo task : tasksOf(operation)) {
                    sendMasterUpdate(framework, task.getTaskId(), state, TaskStatus.Reason.REASON_INVALID_OFFERS,
                            "Task launched with invalid offers: " + offerError);
                }
            }
            ctx.loop().execute(this::allocate);
            return;
        }
        Resources available = Resources.EMPTY;
        for (OfferID id : accept.getOfferIdsList()) {
            available = available.plus(parse(offers.remove(id.getValue()).getResourcesList()));
        }
        for (Offer.Operation operation : accept.getOperationsList()) {
            switch (operation.getType()) {
                case LAUNCH -> {
                    for (TaskInfo task : operation.getLaunch().getTaskInfosList()) {
                        available = launch(framework, task, available);
                    }
                }
                case LAUNCH_GROUP -> {
                    for (TaskInfo task : operation.getLaunchGroup().getTaskGroup().getTasksList()) {
                        sendMasterUpdate(framework, task.getTaskId(), TaskState.TASK_ERROR,
                                TaskStatus.Reason.REASON_TASK_GROUP_INVALID,
                                "portainer-local does not support LAUNCH_GROUP (it has no default executor):"
                                        + " use LAUNCH with a CUSTOM executor");
                    }
                }
                default -> LOG.warning("Ignoring offer operation " + operation.getType()
                        + ": portainer-local supports only LAUNCH");
            }
        }
        recover(framework, available, accept.getFilters());
    }

    private static List<TaskInfo> tasksOf(Offer.Operation operation) {
        return switch (operation.getType()) {
            case LAUNCH -> operation.getLaunch().getTaskInfosList();
            case LAUNCH_GROUP -> operation.getLaunchGroup().getTaskGroup().getTasksList();
            default -> List.of();
        };
    }

    private String validateOffers(Framework framework, List<OfferID> ids) {
        Set<String> seen = new HashSet<>();
        for (OfferID id : ids) {
            if (!seen.add(id.getValue())) {
                return "Duplicate offer " + id.getValue() + " in offer list";
            }
            Offer offer = offers.get(id.getValue());
            if (offer == null) {
                return "Offer " + id.getValue() + " is no longer valid";
            }
            if (!offer.getFrameworkId().getValue().equals(framework.id)) {
                return "Offer " + id.getValue() + " has invalid framework " + offer.getFrameworkId().getValue()
                        + " while framework " + framework.id + " is expected";
            }
        }
        return null;
    }

    /** Validates and launches one task; returns what is left of the offered resources. */
    private Resources launch(Framework framework, TaskInfo requested, Resources available) {
        TaskInfo task = normalize(framework, requested);
        String error;
        Resources needed = Resources.EMPTY;
        try {
            error = TaskValidation.validate(task, framework, ctx.agentId(), available);
            if (error == null) {
                needed = Resources.fromProto(task.getResourcesList());
                if (task.hasExecutor()
                        && !framework.executors.containsKey(task.getExecutor().getExecutorId().getValue())) {
                    needed = needed.plus(Resources.fromProto(task.getExecutor().getResourcesList()));
                }
            }
        } catch (InvalidResourcesException e) {
            error = "Task uses invalid resources: " + e.getMessage();
        }
        if (error != null) {
            sendMasterUpdate(framework, task.getTaskId(), TaskState.TASK_ERROR, TaskStatus.Reason.REASON_TASK_INVALID,
                    error);
            return available;
        }
        if (task.hasExecutor()) {
            framework.executors.putIfAbsent(task.getExecutor().getExecutorId().getValue(), task.getExecutor());
        }
        Task.Builder record = Task.newBuilder()
                .setName(task.getName())
                .setTaskId(task.getTaskId())
                .setFrameworkId(FrameworkID.newBuilder().setValue(framework.id))
                .setAgentId(ctx.agentIdProto())
                .setState(TaskState.TASK_STAGING)
                .addAllResources(task.getResourcesList());
        if (task.hasExecutor()) {
            record.setExecutorId(task.getExecutor().getExecutorId());
        }
        framework.tasks.put(task.getTaskId().getValue(), record);
        agent.launch(framework.info, task);
        return available.minus(needed);
    }

    /** Like the Mesos master: resources carry the framework's allocation role; the executor its framework id. */
    private TaskInfo normalize(Framework framework, TaskInfo task) {
        TaskInfo.Builder builder = task.toBuilder();
        Resource.AllocationInfo allocation = Resource.AllocationInfo.newBuilder().setRole(framework.role()).build();
        builder.getResourcesBuilderList().forEach(r -> r.setAllocationInfo(allocation));
        if (builder.hasExecutor()) {
            ExecutorInfo.Builder executor = builder.getExecutorBuilder();
            executor.getResourcesBuilderList().forEach(r -> r.setAllocationInfo(allocation));
            if (!executor.hasFrameworkId()) {
                executor.setFrameworkId(FrameworkID.newBuilder().setValue(framework.id));
            }
        }
        return builder.build();
    }

    private void kill(Framework framework, Call.Kill kill) {
        Task.Builder task = framework.tasks.get(kill.getTaskId().getValue());
        if (task != null && !TaskStates.isTerminal(task.getState())) {
            agent.killTask(framework.id, kill.getTaskId().getValue());
            return;
        }
        // Like Mesos: a kill of a task the master does not know (any more) is answered by reconciling it.
        reconcileTask(framework, kill.getTaskId(), kill.hasAgentId() ? kill.getAgentId().getValue() : null);
    }

    private void acknowledge(Framework framework, Call.Acknowledge acknowledge) {
        if (!acknowledge.getAgentId().getValue().equals(ctx.agentId())) {
            return;
        }
        String taskId = acknowledge.getTaskId().getValue();
        agent.acknowledge(framework.id, taskId, acknowledge.getUuid()).ifPresent(state -> {
            Task.Builder task = framework.tasks.get(taskId);
            if (task != null && TaskStates.isTerminal(state)) {
                framework.tasks.remove(taskId);
                framework.completeTask(task.build());
            }
        });
    }

    private void reconcile(Framework framework, Call.Reconcile reconcile) {
        if (reconcile.getTasksCount() == 0) {
            for (Task.Builder task : framework.tasks.values()) {
                sendReconciliation(framework, task);
            }
            return;
        }
        for (Call.Reconcile.Task task : reconcile.getTasksList()) {
            reconcileTask(framework, task.getTaskId(), task.hasAgentId() ? task.getAgentId().getValue() : null);
        }
    }

    private void reconcileTask(Framework framework, TaskID taskId, String agentId) {
        Task.Builder task = framework.tasks.get(taskId.getValue());
        if (task != null) {
            sendReconciliation(framework, task);
            return;
        }
        TaskState state;
        String message;
        if (agentId != null && agentId.equals(ctx.agentId())) {
            state = framework.partitionAware() ? TaskState.TASK_GONE : TaskState.TASK_LOST;
            message = "Reconciliation: Task is unknown to the agent";
        } else {
            state = framework.partitionAware() ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST;
            message = "Reconciliation: Task is unknown";
        }
        TaskStatus.Builder status = TaskStatus.newBuilder().setTaskId(taskId).setState(state)
                .setSource(TaskStatus.Source.SOURCE_MASTER).setReason(TaskStatus.Reason.REASON_RECONCILIATION)
                .setMessage(message).setTimestamp(ctx.now());
        if (agentId != null) {
            status.setAgentId(org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue(agentId));
        }
        sendUpdate(framework, status.build());
    }

    private void sendReconciliation(Framework framework, Task.Builder task) {
        TaskStatus.Builder status = TaskStatus.newBuilder()
                .setTaskId(task.getTaskId())
                .setState(task.getState())
                .setSource(TaskStatus.Source.SOURCE_MASTER)
                .setReason(TaskStatus.Reason.REASON_RECONCILIATION)
                .setMessage("Reconciliation: Latest task state")
                .setAgentId(task.getAgentId())
                .setTimestamp(ctx.now());
        if (task.hasExecutorId()) {
            status.setExecutorId(task.getExecutorId());
        }
        sendUpdate(framework, status.build());
    }

    private void sendMasterUpdate(Framework framework, TaskID taskId, TaskState state, TaskStatus.Reason reason,
                                  String message) {
        sendUpdate(framework, TaskStatus.newBuilder()
                .setTaskId(taskId)
                .setState(state)
                .setSource(TaskStatus.Source.SOURCE_MASTER)
                .setReason(reason)
                .setMessage(message)
                .setAgentId(ctx.agentIdProto())
                .setTimestamp(ctx.now())
                .build());
    }

    private static void sendUpdate(Framework framework, TaskStatus status) {
        framework.send(Event.newBuilder().setType(Event.Type.UPDATE)
                .setUpdate(Event.Update.newBuilder().setStatus(status)).build());
    }

    // ---------------------------------------------------------------- from the agent

    /** A status update the agent forwards (with its uuid when the scheduler must acknowledge it). */
    public void statusUpdate(String frameworkId, TaskStatus status) {
        Framework framework = frameworks.get(frameworkId);
        if (framework == null) {
            return;
        }
        Task.Builder task = framework.tasks.get(status.getTaskId().getValue());
        if (task != null) {
            boolean wasTerminal = TaskStates.isTerminal(task.getState());
            task.setState(status.getState());
            task.addStatuses(status.toBuilder().clearData().clearUuid());
            if (!wasTerminal && TaskStates.isTerminal(status.getState())) {
                ctx.loop().execute(this::allocate);
            }
        }
        sendUpdate(framework, status);
    }

    public void executorMessage(String frameworkId, String executorId, ByteString data) {
        Framework framework = frameworks.get(frameworkId);
        if (framework != null) {
            framework.send(Event.newBuilder().setType(Event.Type.MESSAGE)
                    .setMessage(Event.Message.newBuilder()
                            .setAgentId(ctx.agentIdProto())
                            .setExecutorId(ExecutorID.newBuilder().setValue(executorId))
                            .setData(data))
                    .build());
        }
    }

    /** The executor's process ended; {@code status} is its wait(2) status, when known. */
    public void executorTerminated(String frameworkId, String executorId, Integer status) {
        Framework framework = frameworks.get(frameworkId);
        if (framework == null) {
            return;
        }
        framework.executors.remove(executorId);
        Event.Failure.Builder failure = Event.Failure.newBuilder()
                .setAgentId(ctx.agentIdProto())
                .setExecutorId(ExecutorID.newBuilder().setValue(executorId));
        if (status != null) {
            failure.setStatus(status);
        }
        framework.send(Event.newBuilder().setType(Event.Type.FAILURE).setFailure(failure).build());
        ctx.loop().execute(this::allocate);
    }

    // ---------------------------------------------------------------- /state

    public Resources total() {
        return total;
    }

    double startTime() {
        return startTime;
    }

    Map<String, Framework> frameworks() {
        return frameworks;
    }

    Deque<Framework> completedFrameworks() {
        return completedFrameworks;
    }

    Map<String, Offer> offers() {
        return offers;
    }

    Resources usedResources() {
        return used();
    }

    Resources usedResources(Framework framework) {
        return usedBy(framework);
    }

    Resources offeredResources(String frameworkId) {
        return offered(frameworkId);
    }

    NodeContext context() {
        return ctx;
    }

    /** Like the agent's --attributes parsing: a number is a SCALAR, anything else TEXT. */
    static java.util.List<org.apache.mesos.v1.Protos.Attribute> attributes(java.util.Map<String, String> values) {
        java.util.List<org.apache.mesos.v1.Protos.Attribute> list = new java.util.ArrayList<>();
        values.forEach((name, value) -> {
            org.apache.mesos.v1.Protos.Attribute.Builder a = org.apache.mesos.v1.Protos.Attribute.newBuilder()
                    .setName(name);
            try {
                a.setType(org.apache.mesos.v1.Protos.Value.Type.SCALAR).setScalar(
                        org.apache.mesos.v1.Protos.Value.Scalar.newBuilder().setValue(Double.parseDouble(value)));
            } catch (NumberFormatException e) {
                a.setType(org.apache.mesos.v1.Protos.Value.Type.TEXT).setText(
                        org.apache.mesos.v1.Protos.Value.Text.newBuilder().setValue(value));
            }
            list.add(a.build());
        });
        return list;
    }
}
