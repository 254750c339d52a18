package dev.portainer.core.scheduler;

import dev.portainer.core.config.Setting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portainer.core.mesos.scheduler.Backoff;
import dev.portainer.core.mesos.scheduler.MasterUnreachableException;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.mesos.scheduler.MesosSchedulerClient;
import dev.portainer.core.mesos.scheduler.ZooKeeperAddress;
import dev.portainer.core.mesos.scheduler.ZooKeeperMasterDetector;
import dev.portainer.core.mesos.scheduler.ZooKeeperMasterDetectorTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.mesos.v1.Protos.Offer;
import static dev.portainer.core.scheduler.FakeMesosMaster.AGENT_ID;
import static dev.portainer.core.scheduler.FakeMesosMaster.FRAMEWORK_ID;
import static dev.portainer.core.scheduler.FakeMesosMaster.offer;
import static dev.portainer.core.scheduler.FakeMesosMaster.offers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.portainer.core.scheduler.FakeMesosMaster.Answer;
import dev.portainer.core.scheduler.FakeMesosMaster.Received;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.WireFormat;
import dev.portainer.wire.TaskProgress;
import dev.portainer.wire.TaskResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BuildRunnerTest {
    private static final BuildSpec SPEC = BuildSpec.of("127.0.0.1:5000/team/app", List.of("1.0", "latest"),
            "Dockerfile", "context.tar.gz", true, null);
    private static final BuildTask TASK = new BuildTask("team/app", SPEC, 1, 512, new ExecutorLaunch(
            List.of(new FetchUri("http://127.0.0.1:8080/s3cr3t/portainer-executor.jar", "portainer-executor.jar",
                            false, false),
                    FetchUri.plain("http://127.0.0.1:8080/s3cr3t/ctx-abc.tar.gz", "context.tar.gz")),
            "java -jar portainer-executor.jar", 0.1, 128));

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private final Events events = new Events();
    private final AtomicLong uuids = new AtomicLong();
    /** Reads of the fake agent's sandbox files. */
    private final AtomicLong sandboxReads = new AtomicLong();

    /** Records what the runner reports. */
    static class Events implements BuildEvents {
        final List<String> infos = new CopyOnWriteArrayList<>();
        final List<String> debugs = new CopyOnWriteArrayList<>();
        final List<String> logs = new CopyOnWriteArrayList<>();
        final List<String> taskNames = new CopyOnWriteArrayList<>();
        final List<String> warnings = new CopyOnWriteArrayList<>();
        /** The lines of {@link #logs} that were Docker's warnings, as shown. */
        final List<String> logWarnings = new CopyOnWriteArrayList<>();

        @Override
        public void info(String message) {
            infos.add(message);
        }

        @Override
        public void debug(String message) {
            debugs.add(message);
        }

        @Override
        public void log(String taskName, String line) {
            logs.add(line);
            taskNames.add(taskName);
        }

        @Override
        public void logWarning(String taskName, String line) {
            log(taskName, line);
            logWarnings.add(line);
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private FakeMesosMaster master() throws IOException {
        FakeMesosMaster master = new FakeMesosMaster();
        toClose.add(master);
        return master;
    }

    private SchedulerConfig config(String address) {
        return SchedulerConfig.defaults(MesosMaster.parse(address), "root", "builder.test")
                .withOfferTimeout(Duration.ofSeconds(10))
                .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)));
    }

    private BuildRunner runner(SchedulerConfig config) {
        BuildRunner runner = new BuildRunner(config, Clock.systemUTC(),
                () -> new UUID(0, uuids.incrementAndGet()));
        toClose.add(runner);
        return runner;
    }

    /** The one task's outcome, or its failure thrown: a run of one build, as the plugin makes for one image. */
    private static BuildOutcome buildOne(BuildRunner runner, BuildTask task, BuildEvents events)
            throws BuildException, InterruptedException {
        return runner.runAll(List.of(task), false, events).get(0).orThrow();
    }

    private static CompletableFuture<BuildOutcome> start(BuildRunner runner, Events events) {
        CompletableFuture<BuildOutcome> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(buildOne(runner, TASK, events));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "test-build");
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static Throwable failure(CompletableFuture<?> run) throws InterruptedException {
        try {
            Object value = run.get(20, TimeUnit.SECONDS);
            throw new AssertionError("the build should have failed but returned " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the build did not end", e);
        }
    }

    /** Waits for the SUBSCRIBE, offers one fitting offer and returns the launched TaskInfo. */
    private static TaskInfo launchOnOneOffer(FakeMesosMaster master) throws Exception {
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 2, 23081)));
        return master.nextCall(Call.Type.ACCEPT).call().getAccept().getOperations(0).getLaunch().getTaskInfos(0);
    }

    private static Event update(TaskInfo task, TaskState state, UUID uuid, ByteString data) {
        TaskStatus.Builder status = TaskStatus.newBuilder().setTaskId(task.getTaskId()).setState(state)
                .setAgentId(task.getAgentId()).setSource(TaskStatus.Source.SOURCE_EXECUTOR)
                .setExecutorId(task.getExecutor().getExecutorId());
        if (uuid != null) {
            status.setUuid(FakeMesosMaster.uuidBytes(uuid));
        }
        if (data != null) {
            status.setData(data);
        }
        return Event.newBuilder().setType(Event.Type.UPDATE)
                .setUpdate(Event.Update.newBuilder().setStatus(status)).build();
    }

    private static Event message(TaskInfo task, long seq, String line) {
        return Event.newBuilder().setType(Event.Type.MESSAGE).setMessage(Event.Message.newBuilder()
                .setAgentId(task.getAgentId()).setExecutorId(task.getExecutor().getExecutorId())
                .setData(ByteString.copyFrom(LogFrame.of(seq, line).toBytes()))).build();
    }

    private static void assertTornDownLast(FakeMesosMaster master) throws InterruptedException {
        master.awaitCall(Call.Type.TEARDOWN);
        List<Call.Type> types = master.types();
        assertEquals(Call.Type.TEARDOWN, types.get(types.size() - 1), "calls: " + types);
    }

    @Test
    void offersMadeBeforeTheTasksAreReadyAreKeptForThemAndNotDeclined() throws Exception {
        FakeMesosMaster master = master();
        SchedulerConfig config = config(master.address());
        EarlySubscription early = EarlySubscription.start(config, Clock.systemUTC());
        toClose.add(early);
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", "S1", 4, 8192)));
        // While the contexts are packed nothing answers the offer: no DECLINE that would hide the agent for 600 s.
        Thread.sleep(300);
        assertEquals(List.of(Call.Type.SUBSCRIBE), master.types());

        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = new CompletableFuture<>();
        BuildRunner runner = runner(config);
        Thread t = new Thread(() -> {
            try {
                run.complete(runner.runAll(List.of(TASK), false, events, early));
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        }, "test-build");
        t.setDaemon(true);
        t.start();
        Received accept = master.nextCall(Call.Type.ACCEPT);
        assertEquals("O1", accept.call().getAccept().getOfferIds(0).getValue(), "the kept offer is used");
        TaskInfo task = accept.call().getAccept().getOperations(0).getLaunch().getTaskInfos(0);
        TaskResult result = TaskResult.success("sha256:" + "a".repeat(64), null, List.of("1.0"), -1, 0);
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(result.toBytes())));
        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertEquals(result, outcomes.get(0).result().result());
        assertTrue(events.infos.stream().anyMatch(i -> i.startsWith("Registered with the Mesos master")),
                events.infos.toString());
        assertTornDownLast(master);
        assertEquals(1, master.types().stream().filter(c -> c == Call.Type.SUBSCRIBE).count(),
                "the run took the subscription over: " + master.types());
    }

    @Test
    void anEarlySubscriptionNoRunTookOverTearsItsFrameworkDown() throws Exception {
        FakeMesosMaster master = master();
        EarlySubscription early = EarlySubscription.start(config(master.address()), Clock.systemUTC());
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", "S1", 4, 8192)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (early.client().frameworkId().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        early.close();
        master.awaitCall(Call.Type.TEARDOWN);
        assertEquals(List.of(Call.Type.SUBSCRIBE, Call.Type.TEARDOWN), master.types());
        assertThrows(BuildCancelledException.class, () -> early.attach(new MesosSchedulerClient.Listener() {
            @Override
            public void onEvent(Event event) {
            }

            @Override
            public void onDisconnected(String reason) {
            }

            @Override
            public void onClosed(ClusterException failure) {
            }
        }));
    }

    @Test
    void launchesOnAFittingOfferStreamsTheLogInOrderAndTearsDownAfterSuccess() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);

        Received subscribe = master.nextCall();
        assertEquals(Call.Type.SUBSCRIBE, subscribe.call().getType());
        assertEquals("application/x-protobuf", subscribe.contentType());
        assertEquals("application/x-protobuf", subscribe.accept());
        assertEquals(null, subscribe.streamId(), "SUBSCRIBE must not carry a stream id");
        FrameworkInfo info = subscribe.call().getSubscribe().getFrameworkInfo();
        assertEquals("root", info.getUser());
        assertEquals("portainer", info.getName());
        assertEquals(List.of("*"), info.getRolesList());
        assertEquals(FrameworkInfo.Capability.Type.MULTI_ROLE, info.getCapabilities(0).getType());
        assertEquals(30.0, info.getFailoverTimeout(), "short: a killed Maven's builds must stop soon");
        assertEquals("builder.test", info.getHostname());
        assertFalse(info.hasId(), "a first SUBSCRIBE has no framework id");

        master.send(offers(offer("O1", AGENT_ID, 0.5, 23081), offer("O2", "S1", 4, 8192),
                offer("O3", "S2", 4, 8192)));
        Received accept = master.nextCall(Call.Type.ACCEPT);
        assertEquals("O2", accept.call().getAccept().getOfferIds(0).getValue());
        assertEquals(1, accept.call().getAccept().getOfferIdsCount());
        Offer.Operation operation = accept.call().getAccept().getOperations(0);
        assertEquals(Offer.Operation.Type.LAUNCH, operation.getType());
        TaskInfo task = operation.getLaunch().getTaskInfos(0);
        assertEquals("team/app", task.getName());
        assertTrue(task.getTaskId().getValue().startsWith("portainer-team-app-"), task.getTaskId().getValue());
        assertEquals("S1", task.getAgentId().getValue());
        assertEquals(SPEC, BuildSpec.fromBytes(task.getData().toByteArray()));
        assertResources(task.getResourcesList(), 1, 512);
        ExecutorInfo executor = task.getExecutor();
        assertEquals(ExecutorInfo.Type.CUSTOM, executor.getType());
        assertNotEquals(task.getTaskId().getValue(), executor.getExecutorId().getValue());
        assertTrue(executor.getName().contains("team/app"));
        assertResources(executor.getResourcesList(), 0.1, 128);
        CommandInfo command = executor.getCommand();
        assertEquals("java -jar portainer-executor.jar", command.getValue());
        assertTrue(command.getShell());
        assertEquals(2, command.getUrisCount());
        CommandInfo.URI jar = command.getUris(0);
        assertEquals("http://127.0.0.1:8080/s3cr3t/portainer-executor.jar", jar.getValue());
        assertEquals("portainer-executor.jar", jar.getOutputFile());
        assertFalse(jar.getExtract());
        assertFalse(jar.getCache());
        assertEquals("context.tar.gz", command.getUris(1).getOutputFile());

        Received decline = master.nextCall(Call.Type.DECLINE);
        assertEquals(List.of("O1", "O3"), decline.call().getDecline().getOfferIdsList().stream()
                .map(o -> o.getValue()).toList());
        assertEquals(600, decline.call().getDecline().getFilters().getRefuseSeconds());
        master.awaitCall(Call.Type.SUPPRESS);

        // The master's own STAGING update has no uuid and must not be acknowledged.
        master.send(update(task, TaskState.TASK_STAGING, null, null).toBuilder().setUpdate(Event.Update.newBuilder()
                .setStatus(update(task, TaskState.TASK_STAGING, null, null).getUpdate().getStatus().toBuilder()
                        .setSource(TaskStatus.Source.SOURCE_MASTER))).build());
        UUID running = UUID.fromString("67b8a95e-ade2-4144-b039-d5231dee1c52");
        master.send(message(task, 1, "Step 1/2 : FROM portainer/busybox"));
        master.send(update(task, TaskState.TASK_RUNNING, running, null));
        master.send(message(task, 0, "Sending build context to Docker daemon"));
        master.send(message(task, 3, "Successfully tagged 127.0.0.1:5000/team/app:1.0"));
        UUID finished = UUID.fromString("91ed4cd4-477e-4237-bfef-2a9f18580944");
        TaskResult result = TaskResult.success("sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64),
                List.of("1.0", "latest"), 1234, 4);
        master.send(update(task, TaskState.TASK_FINISHED, finished, ByteString.copyFrom(result.toBytes())));

        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals(result, outcome.result());
        assertEquals(FRAMEWORK_ID, outcome.frameworkId());
        assertEquals(task.getTaskId().getValue(), outcome.taskId());
        assertEquals("S1", outcome.agentId());
        assertEquals("http://127.0.0.1:5051/slave(1)", outcome.agentUrl());
        assertEquals(List.of("Sending build context to Docker daemon", "Step 1/2 : FROM portainer/busybox",
                "Successfully tagged 127.0.0.1:5000/team/app:1.0"), events.logs);
        assertEquals(3, outcome.logLinesReceived());
        assertEquals(List.of(2L), outcome.missingLogSeqs());
        assertEquals(1, events.warnings.size(), events.warnings.toString());
        assertTrue(events.warnings.get(0).startsWith("1 log line was lost in transit and could not be read back "
                + "from the sandbox"), events.warnings.toString());
        assertTrue(events.warnings.get(0).endsWith("the full log is /frameworks/" + FRAMEWORK_ID + "/executors/"
                + task.getExecutor().getExecutorId().getValue() + "/runs/latest/stdout on http://127.0.0.1:5051"),
                events.warnings.toString());

        assertTornDownLast(master);
        List<Received> acks = master.allCalls().stream()
                .filter(r -> r.call().getType() == Call.Type.ACKNOWLEDGE).toList();
        assertEquals(List.of(FakeMesosMaster.uuidBytes(running), FakeMesosMaster.uuidBytes(finished)),
                acks.stream().map(r -> r.call().getAcknowledge().getUuid()).toList());
        assertEquals(task.getTaskId(), acks.get(0).call().getAcknowledge().getTaskId());
        assertEquals("S1", acks.get(0).call().getAcknowledge().getAgentId().getValue());
        for (Received call : master.allCalls()) {
            if (call.call().getType() != Call.Type.SUBSCRIBE) {
                assertEquals("stream-1", call.streamId(), call.call().getType() + " without the stream id");
                assertEquals(FRAMEWORK_ID, call.call().getFrameworkId().getValue());
                assertEquals("application/x-protobuf", call.contentType());
            }
        }
    }

    private static void assertResources(List<Resource> resources, double cpus, double mem) {
        double c = 0;
        double m = 0;
        for (Resource r : resources) {
            assertEquals("*", r.getAllocationInfo().getRole(), "MULTI_ROLE needs allocation_info: " + r);
            assertEquals("*", r.getRole());
            if (r.getName().equals("cpus")) {
                c += r.getScalar().getValue();
            } else if (r.getName().equals("mem")) {
                m += r.getScalar().getValue();
            } else {
                throw new AssertionError("unexpected resource " + r);
            }
        }
        assertEquals(cpus, c, 1e-9);
        assertEquals(mem, m, 1e-9);
    }

    @Test
    void aFailedBuildStepIsABuildFailureCarryingDockersText() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        TaskInfo task = launchOnOneOffer(master);
        String docker = "The command '/bin/sh -c exit 3' returned a non-zero code: 3";
        master.send(update(task, TaskState.TASK_FAILED, UUID.randomUUID(),
                ByteString.copyFrom(TaskResult.failure(docker, null, 0).toBytes())));

        BuildFailedException e = assertInstanceOf(BuildFailedException.class, failure(run));
        assertEquals(docker, e.dockerError());
        assertTrue(e.getMessage().contains(docker), e.getMessage());
        assertTornDownLast(master);
    }

    @Test
    void aTaskThatDiesWithoutAResultIsAClusterFailureExplainingStateReasonAndSource() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address()).withRetries(0)), events);
        TaskInfo task = launchOnOneOffer(master);
        Event failed = update(task, TaskState.TASK_FAILED, UUID.randomUUID(), null);
        failed = failed.toBuilder().setUpdate(Event.Update.newBuilder().setStatus(failed.getUpdate().getStatus()
                .toBuilder().setSource(TaskStatus.Source.SOURCE_AGENT)
                .setReason(TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED)
                .setMessage("Failed to launch container: Failed to fetch all URIs for container"))).build();
        master.send(failed);

        TaskFailedException e = assertInstanceOf(TaskFailedException.class, failure(run));
        assertEquals("TASK_FAILED", e.state());
        assertEquals("REASON_CONTAINER_LAUNCH_FAILED", e.reason());
        assertEquals("SOURCE_AGENT", e.source());
        assertTrue(e.getMessage().contains("Failed to fetch all URIs for container"), e.getMessage());
        assertTrue(e.getMessage().contains("agent-" + AGENT_ID), e.getMessage());
        assertInstanceOf(ClusterException.class, e);
        assertTornDownLast(master);
    }

    @Test
    void theMastersPlainTextRefusalSurfacesVerbatim() throws Exception {
        FakeMesosMaster master = master();
        String refusal = "Task uses more resources cpus(allocated: *):4; mem(allocated: *):512 than available";
        master.answers = call -> call.getType() == Call.Type.ACCEPT ? Answer.text(400, refusal) : Answer.ACCEPTED;
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        launchOnOneOffer(master);

        ClusterException e = assertInstanceOf(ClusterException.class, failure(run));
        assertTrue(e.getMessage().contains(refusal), e.getMessage());
        assertTrue(e.getMessage().contains("400"), e.getMessage());
        assertTornDownLast(master);
    }

    @Test
    void aRefusedSubscriptionSurfacesTheMastersText() throws Exception {
        FakeMesosMaster master = master();
        master.subscribeAnswer = call -> Answer.text(403, "Framework is not authorized to use roles '*'");
        ClusterException e = assertInstanceOf(ClusterException.class,
                failure(start(runner(config(master.address())), events)));
        assertTrue(e.getMessage().contains("Framework is not authorized to use roles '*'"), e.getMessage());
        assertEquals(List.of(Call.Type.SUBSCRIBE), master.types(), "no retry, no call without a subscription");
    }

    @Test
    void followsTheRedirectToTheLeaderAndKeepsCallingIt() throws Exception {
        FakeMesosMaster follower = master();
        FakeMesosMaster leader = master();
        follower.subscribeAnswer = call -> new Answer(307, "",
                "//127.0.0.1:" + leader.port() + "/master/api/v1/scheduler");
        CompletableFuture<BuildOutcome> run = start(runner(config(follower.address())), events);
        TaskInfo task = launchOnOneOffer(leader);
        leader.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "c".repeat(64), null, List.of("1.0"), -1, 0).toBytes())));

        assertEquals("sha256:" + "c".repeat(64), run.get(10, TimeUnit.SECONDS).result().imageId());
        assertEquals(List.of(Call.Type.SUBSCRIBE), follower.types());
        assertTornDownLast(leader);
        assertTrue(events.infos.get(0).contains("127.0.0.1:" + leader.port() + "/master/api/v1/scheduler"),
                events.infos.get(0));
    }

    @Test
    void anUnreachableMasterIsATypedErrorNamingTheAddressAndTheFix() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MasterUnreachableException e = assertInstanceOf(MasterUnreachableException.class,
                failure(start(runner(config("127.0.0.1:" + port)), events)));
        assertEquals("127.0.0.1:" + port, e.master());
        assertTrue(e.getMessage().contains("'127.0.0.1:" + port + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("check mesosMaster, or use local"), e.getMessage());
        assertEquals(List.of(Setting.MESOS_MASTER), e.explanation().settings());
    }

    @Test
    void anUnreachableMasterFailsEveryImageOfARunWithTheTypedError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<Outcome<BuildTask, BuildOutcome>> outcomes = startAll(runner(config("127.0.0.1:" + port)), events,
                false, named("team/a"), named("team/b")).get(20, TimeUnit.SECONDS);

        assertEquals(2, outcomes.size());
        for (Outcome<BuildTask, BuildOutcome> o : outcomes) {
            assertInstanceOf(MasterUnreachableException.class, o.failure(), o.subject().name());
        }
    }

    @Test
    void noFittingOfferInTimeExplainsWhatWasOfferedAndWhatIsNeeded() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())
                .withOfferTimeout(Duration.ofMillis(400))), events);
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 0.5, 23081), offer("O2", "S1", 4, 256)));
        Received decline = master.nextCall(Call.Type.DECLINE);
        assertEquals(2, decline.call().getDecline().getOfferIdsCount());
        assertEquals(600, decline.call().getDecline().getFilters().getRefuseSeconds(), "long refusal, also while waiting");

        OfferTimeoutException e = assertInstanceOf(OfferTimeoutException.class, failure(run));
        assertTrue(e.getMessage().contains("1.1 cpus and 640 MB"), e.getMessage());
        assertTrue(e.getMessage().contains("had 4 cpus and 23081 MB"), e.getMessage());
        assertTrue(e.getMessage().contains("2 offers from 2 agents"), e.getMessage());
        assertFalse(master.types().contains(Call.Type.ACCEPT));
        assertTornDownLast(master);
    }

    @Test
    void noOfferAtAllSaysSo() throws Exception {
        FakeMesosMaster master = master();
        OfferTimeoutException e = assertInstanceOf(OfferTimeoutException.class, failure(start(runner(
                config(master.address()).withOfferTimeout(Duration.ofMillis(200))), events)));
        assertTrue(e.getMessage().contains("no offer arrived at all"), e.getMessage());
        assertTornDownLast(master);
    }

    @Test
    void cancellingKillsTheTaskThenTearsDown() throws Exception {
        FakeMesosMaster master = master();
        BuildRunner runner = runner(config(master.address()));
        CompletableFuture<BuildOutcome> run = start(runner, events);
        TaskInfo task = launchOnOneOffer(master);
        master.awaitCall(Call.Type.SUPPRESS);
        runner.cancel();
        Received kill = master.nextCall(Call.Type.KILL);
        assertEquals(task.getTaskId(), kill.call().getKill().getTaskId());
        master.send(update(task, TaskState.TASK_KILLED, UUID.randomUUID(), null));

        assertInstanceOf(BuildCancelledException.class, failure(run));
        assertTornDownLast(master);
    }

    @Test
    void interruptingTheBuildThreadTearsDownAndRethrows() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        BuildRunner runner = runner(config(master.address()));
        Thread t = new Thread(() -> {
            try {
                buildOne(runner, TASK, events);
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.start();
        launchOnOneOffer(master);
        t.interrupt();
        assertInstanceOf(InterruptedException.class, thrown.get(10, TimeUnit.SECONDS));
        List<Call.Type> types = master.types();
        assertTrue(types.indexOf(Call.Type.KILL) > types.indexOf(Call.Type.ACCEPT), types.toString());
        assertEquals(Call.Type.TEARDOWN, types.get(types.size() - 1), types.toString());
    }

    @Test
    void reSubscribesWithTheSameFrameworkIdAndReconcilesAfterTheStreamBreaks() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        TaskInfo task = launchOnOneOffer(master);
        master.awaitCall(Call.Type.SUPPRESS);
        master.dropStream();

        Received resubscribe = master.nextCall(Call.Type.SUBSCRIBE);
        assertEquals(FRAMEWORK_ID, resubscribe.call().getFrameworkId().getValue());
        assertEquals(FRAMEWORK_ID, resubscribe.call().getSubscribe().getFrameworkInfo().getId().getValue());
        Received reconcile = master.nextCall(Call.Type.RECONCILE);
        assertEquals("stream-2", reconcile.streamId(), "calls use the new stream's id");
        assertEquals(task.getTaskId(), reconcile.call().getReconcile().getTasks(0).getTaskId());
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "d".repeat(64), null, List.of("1.0"), -1, 0).toBytes())));

        run.get(10, TimeUnit.SECONDS);
        assertTrue(events.warnings.stream().anyMatch(w -> w.contains("re-subscribing")), events.warnings.toString());
        assertTornDownLast(master);
    }

    @Test
    void messagesFromOtherExecutorsAreNotOurLog() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        TaskInfo task = launchOnOneOffer(master);
        master.send(Event.newBuilder().setType(Event.Type.MESSAGE).setMessage(Event.Message.newBuilder()
                .setAgentId(AgentID.newBuilder().setValue(AGENT_ID))
                .setExecutorId(ExecutorID.newBuilder().setValue("someone-else"))
                .setData(ByteString.copyFrom(LogFrame.of(0, "not ours").toBytes()))).build());
        master.send(message(task, 0, "ours"));
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "e".repeat(64), null, List.of("1.0"), -1, 1).toBytes())));
        run.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("ours"), events.logs);
        assertEquals(List.of(), events.warnings);
    }

    @Test
    void buildTimeoutKillsTheTaskAndSaysSo() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())
                .withBuildTimeout(Duration.ofMillis(300))), events);
        TaskInfo task = launchOnOneOffer(master);
        Received kill = master.nextCall(Call.Type.KILL);
        assertEquals(task.getTaskId(), kill.call().getKill().getTaskId());
        master.send(update(task, TaskState.TASK_KILLED, UUID.randomUUID(), null));

        BuildCancelledException e = assertInstanceOf(BuildCancelledException.class, failure(run));
        assertTrue(e.getMessage().contains("did not finish within the build timeout of 300 ms")
                && e.getMessage().contains("was killed") && e.getMessage().contains("portainer.timeout"),
                e.getMessage());
        assertTornDownLast(master);
    }

    @Test
    void cancelNowKillsAndTearsDownWithoutWaitingForTheTask() throws Exception {
        FakeMesosMaster master = master();
        BuildRunner runner = runner(config(master.address()));
        CompletableFuture<BuildOutcome> run = start(runner, events);
        launchOnOneOffer(master);
        master.awaitCall(Call.Type.SUPPRESS);
        runner.cancelNow("stopping");

        // No TASK_KILLED is ever sent: the run must end on its own, KILL first, TEARDOWN last.
        assertEquals("stopping", assertInstanceOf(BuildCancelledException.class, failure(run)).getMessage());
        List<Call.Type> types = master.types();
        assertTrue(types.indexOf(Call.Type.KILL) > types.indexOf(Call.Type.ACCEPT), types.toString());
        assertTornDownLast(master);
    }

    @Test
    void aRunStartedAfterCancelNowDoesNotSubscribe() throws Exception {
        FakeMesosMaster master = master();
        BuildRunner runner = runner(config(master.address()));
        runner.cancelNow("stopping");
        assertInstanceOf(BuildCancelledException.class, failure(start(runner, events)));
        assertFalse(master.types().contains(Call.Type.SUBSCRIBE), master.types().toString());
    }

    @Test
    void offerTimeoutNamesTheRolesOfferedAndTheAgentsSkippedByConstraints() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())
                .withConstraints(List.of(AgentConstraint.parse("rack:us-east-1a")))
                .withOfferTimeout(Duration.ofMillis(400))), events);
        master.nextCall(Call.Type.SUBSCRIBE);
        Offer wrongRack = withText(offer("O1", AGENT_ID, 8, 32000), "rack", "us-east-1b");
        master.send(offers(wrongRack, withText(offer("O2", "S1", 0.5, 256), "rack", "us-east-1a")));
        master.nextCall(Call.Type.DECLINE);

        OfferTimeoutException e = assertInstanceOf(OfferTimeoutException.class, failure(run));
        assertTrue(e.getMessage().contains("on an agent with rack:us-east-1a for role '*'"), e.getMessage());
        assertTrue(e.getMessage().contains("roles offered: *"), e.getMessage());
        assertTrue(e.getMessage().contains("skipped by constraints: agent-" + AGENT_ID
                + " (rack=us-east-1b, wanted rack:us-east-1a)"), e.getMessage());
        assertTrue(e.getMessage().contains("had 0.5 cpus and 256 MB"), "the big agent does not count: "
                + e.getMessage());
        assertFalse(master.types().contains(Call.Type.ACCEPT));
    }

    @Test
    void launchesOnlyOnAnAgentThatMeetsTheConstraints() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())
                .withConstraints(List.of(AgentConstraint.parse("docker:true"))).withRetries(0)), events);
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", "S1", 8, 32000), withText(offer("O2", AGENT_ID, 2, 4096), "docker", "true")));
        Received accept = master.nextCall(Call.Type.ACCEPT);
        assertEquals("O2", accept.call().getAccept().getOfferIds(0).getValue());
        master.send(update(accept.call().getAccept().getOperations(0).getLaunch().getTaskInfos(0),
                TaskState.TASK_FAILED, UUID.randomUUID(), null));
        failure(run);
    }

    @Test
    void aTaskBoundToAnAgentPassesOverOffersFromOthersAndLaunchesThere() throws Exception {
        FakeMesosMaster master = master();
        BuildTask push = new BuildTask("team/app", BuildSpec.pushOf("127.0.0.1:5000/team/app", List.of("1.0"),
                "sha256:" + "a".repeat(64), null), 0.1, 32, TASK.executor()).onAgent("agent-S1");
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, push);
        master.nextCall(Call.Type.SUBSCRIBE);
        // the bigger offer comes first, from an agent that does not have the image
        master.send(offers(offer("O1", AGENT_ID, 8, 32000), offer("O2", "S1", 1, 1024)));

        Received accept = master.nextCall(Call.Type.ACCEPT);
        assertEquals("O2", accept.call().getAccept().getOfferIds(0).getValue());
        TaskInfo task = launched(accept);
        assertEquals("S1", task.getAgentId().getValue());
        assertEquals("push", BuildSpec.fromBytes(task.getData().toByteArray()).action().wireName());
        Call.Decline declined = master.nextCall(Call.Type.DECLINE).call().getDecline();
        assertEquals("O1", declined.getOfferIds(0).getValue());
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(TaskResult.pushed(
                "sha256:" + "a".repeat(64), java.util.Map.of("1.0", "sha256:" + "b".repeat(64)), List.of("1.0"), -1, 0)
                .toBytes())));
        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertEquals("agent-S1", outcomes.get(0).result().agentHostname());
        assertTrue(events.infos.stream().anyMatch(i -> i.contains("from agent agent-S1")), events.infos.toString());
    }

    @Test
    void aTaskBoundToAnAgentThatNeverOffersFailsNamingTheAgentAndSayingToBuildAgain() throws Exception {
        FakeMesosMaster master = master();
        BuildTask push = named("team/app").onAgent("agent-S1");
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())
                .withOfferTimeout(Duration.ofMillis(400))), events, false, push);
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 8, 32000)));
        master.nextCall(Call.Type.DECLINE);

        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        OfferTimeoutException e = assertInstanceOf(OfferTimeoutException.class, outcomes.get(0).failure());
        assertTrue(e.getMessage().startsWith("No Mesos offer from agent agent-S1 could fit team/app within 400 ms"),
                e.getMessage());
        assertTrue(e.getMessage().contains("offers came from agent-" + AGENT_ID + " only"), e.getMessage());
        assertTrue(e.getMessage().contains("Build the image again, then push it"), e.getMessage());
        assertFalse(master.types().contains(Call.Type.ACCEPT), "never launched elsewhere");
    }

    private static Event failedUpdate(TaskInfo task, TaskState state, TaskStatus.Reason reason, String message) {
        Event event = update(task, state, UUID.randomUUID(), null);
        return event.toBuilder().setUpdate(Event.Update.newBuilder().setStatus(event.getUpdate().getStatus()
                .toBuilder().setSource(TaskStatus.Source.SOURCE_AGENT).setReason(reason).setMessage(message)))
                .build();
    }

    private static TaskInfo launched(Received accept) {
        return accept.call().getAccept().getOperations(0).getLaunch().getTaskInfos(0);
    }

    @Test
    void aTaskTheClusterFailedBeforeTheBuildIsRelaunchedAsANewTaskOnAnotherAgent() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        TaskInfo first = launchOnOneOffer(master);
        assertEquals(AGENT_ID, first.getAgentId().getValue());
        master.send(failedUpdate(first, TaskState.TASK_FAILED, TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
                "Failed to launch container: Failed to fetch all URIs for container"));

        master.nextCall(Call.Type.REVIVE);
        // The agent that failed comes first in the batch, and is passed over for the other one.
        master.send(offers(offer("O2", AGENT_ID, 4, 8192), offer("O3", "S1", 4, 8192)));
        Received accept = master.nextCall(Call.Type.ACCEPT);
        assertEquals("O3", accept.call().getAccept().getOfferIds(0).getValue());
        TaskInfo second = launched(accept);
        assertEquals("S1", second.getAgentId().getValue());
        assertNotEquals(first.getTaskId(), second.getTaskId());
        assertNotEquals(first.getTaskId().getValue(), second.getTaskId().getValue());
        assertNotEquals(first.getExecutor().getExecutorId(), second.getExecutor().getExecutorId());
        master.awaitCall(Call.Type.DECLINE);
        Call.Decline avoided = master.allCalls().stream().map(Received::call)
                .filter(c -> c.getType() == Call.Type.DECLINE && c.getDecline().getOfferIds(0).getValue().equals("O2"))
                .findFirst().orElseThrow(() -> new AssertionError("O2 not declined: " + master.types()))
                .getDecline();
        assertEquals(BuildRun.DECLINE_FAILED_AGENT_SECONDS, avoided.getFilters().getRefuseSeconds(),
                "the failed agent is only passed over for a short while");

        master.send(message(second, 1, "Step 1/1 : FROM busybox"));
        master.send(update(second, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "a".repeat(64), null, List.of("1.0"), -1, 1).toBytes())));
        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals("S1", outcome.agentId());
        assertEquals(List.of("Step 1/1 : FROM busybox"), events.logs);
        assertEquals(1, events.warnings.size(), events.warnings.toString());
        String warning = events.warnings.get(0);
        assertTrue(warning.contains("REASON_CONTAINER_LAUNCH_FAILED") && warning.contains("Failed to fetch all URIs")
                && warning.contains("agent-" + AGENT_ID) && warning.contains("retrying (attempt 2 of 3), on another "
                + "agent if one offers"), warning);
        assertTrue(events.infos.stream().anyMatch(i -> i.contains("on agent-S1") && i.contains("attempt 2 of 3")),
                events.infos.toString());
        assertTornDownLast(master);
    }

    @Test
    void withASingleAgentTheRetryUsesItAgainAndFailsOnceRetriesAreUsedUp() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address()).withRetries(1)), events);
        TaskInfo first = launchOnOneOffer(master);
        master.send(failedUpdate(first, TaskState.TASK_FAILED, TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                "Executor terminated"));
        master.nextCall(Call.Type.REVIVE);
        master.send(offers(offer("O2", AGENT_ID, 4, 8192)));
        TaskInfo second = launched(master.nextCall(Call.Type.ACCEPT));
        assertEquals(AGENT_ID, second.getAgentId().getValue());
        master.send(update(second, TaskState.TASK_RUNNING, UUID.randomUUID(), null));
        // Dies mid-build: still the cluster's fault, but this was the last attempt.
        master.send(failedUpdate(second, TaskState.TASK_LOST, TaskStatus.Reason.REASON_AGENT_DISCONNECTED,
                "Agent disconnected"));

        TaskFailedException e = assertInstanceOf(TaskFailedException.class, failure(run));
        assertEquals("TASK_LOST", e.state());
        assertTrue(e.getMessage().contains("attempt 2 of 2, retries used up")
                && e.getMessage().contains("attempt 1 on agent-" + AGENT_ID + ": TASK_FAILED "
                + "(REASON_EXECUTOR_TERMINATED) from SOURCE_AGENT: Executor terminated")
                && e.getMessage().contains("Raise retries or check the agents' logs"), e.getMessage());
        assertEquals(List.of(Setting.RETRIES), e.explanation().settings());
        assertEquals(2, master.types().stream().filter(Call.Type.ACCEPT::equals).count());
        assertTrue(events.infos.stream().anyMatch(i -> i.contains("on agent-" + AGENT_ID)
                && i.contains("attempt 2 of 2")), events.infos.toString());
        assertTornDownLast(master);
    }

    @Test
    void aTaskLostAfterItsExecutorSaidItWasAboutToPushIsNeverRunAgain() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address()).withRetries(2)), events);
        // Lost mid-build before any push: the cluster's fault, relaunched.
        TaskInfo first = launchOnOneOffer(master);
        master.send(update(first, TaskState.TASK_RUNNING, UUID.randomUUID(), null));
        master.send(failedUpdate(first, TaskState.TASK_FAILED, TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                "Executor terminated"));
        master.nextCall(Call.Type.REVIVE);
        master.send(offers(offer("O2", AGENT_ID, 4, 8192)));
        TaskInfo second = launched(master.nextCall(Call.Type.ACCEPT));

        // This time the executor said it was about to push (it pushes once that is acknowledged), then its final
        // update never came: the image may be in the registry, and a third build would push again.
        master.send(update(second, TaskState.TASK_RUNNING, UUID.randomUUID(), null));
        master.send(update(second, TaskState.TASK_RUNNING, UUID.randomUUID(),
                ByteString.copyFrom(TaskProgress.pushingNow().toBytes())));
        master.send(failedUpdate(second, TaskState.TASK_FAILED, TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                "Executor terminated"));

        TaskFailedException e = assertInstanceOf(TaskFailedException.class, failure(run));
        assertEquals("REASON_EXECUTOR_TERMINATED", e.reason());
        assertTrue(e.getMessage().contains("The executor had started pushing 127.0.0.1:5000/team/app, so the build "
                + "is not run again") && e.getMessage().contains("[1.0, latest]"), e.getMessage());
        assertTornDownLast(master);
        assertEquals(2, master.types().stream().filter(Call.Type.ACCEPT::equals).count(), master.types().toString());
        assertEquals(1, master.types().stream().filter(Call.Type.REVIVE::equals).count(), master.types().toString());
    }

    @Test
    void aBuildThatFailedOnTheDockerfileIsNeverRetried() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        TaskInfo task = launchOnOneOffer(master);
        master.send(update(task, TaskState.TASK_FAILED, UUID.randomUUID(),
                ByteString.copyFrom(TaskResult.failure("unknown instruction: FORM", null, 0).toBytes())));
        assertInstanceOf(BuildFailedException.class, failure(run));
        assertTornDownLast(master);
        assertFalse(master.types().contains(Call.Type.REVIVE), master.types().toString());
        assertEquals(1, master.types().stream().filter(Call.Type.ACCEPT::equals).count());
    }

    @Test
    void anInvalidTaskOrOneThatFailedWhileRunningForItsOwnReasonIsNotRetried() throws Exception {
        for (boolean running : List.of(false, true)) {
            FakeMesosMaster master = master();
            CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
            TaskInfo task = launchOnOneOffer(master);
            if (running) {
                master.send(update(task, TaskState.TASK_RUNNING, UUID.randomUUID(), null));
                master.send(failedUpdate(task, TaskState.TASK_FAILED,
                        TaskStatus.Reason.REASON_CONTAINER_LIMITATION_MEMORY, "Memory limit exceeded"));
            } else {
                master.send(failedUpdate(task, TaskState.TASK_ERROR, TaskStatus.Reason.REASON_TASK_INVALID,
                        "Task uses more resources than available"));
            }
            TaskFailedException e = assertInstanceOf(TaskFailedException.class, failure(run));
            assertFalse(e.getMessage().contains("attempt"), e.getMessage());
            assertTornDownLast(master);
            assertFalse(master.types().contains(Call.Type.REVIVE), master.types().toString());
        }
    }

    @Test
    void aZooKeeperLeaderChangeDuringTheBuildReSubscribesToTheNewLeaderAndCarriesOn() throws Exception {
        try (org.apache.curator.test.TestingServer zookeeper = new org.apache.curator.test.TestingServer(true);
             org.apache.curator.framework.CuratorFramework masters = org.apache.curator.framework
                     .CuratorFrameworkFactory.newClient(zookeeper.getConnectString(),
                             new org.apache.curator.retry.RetryOneTime(100))) {
            masters.start();
            FakeMesosMaster first = master();
            FakeMesosMaster second = master();
            String firstNode = ZooKeeperMasterDetectorTest.publish(masters, "/mesos",
                    ZooKeeperMasterDetectorTest.masterInfo("127.0.0.1", first.port()));
            ZooKeeperMasterDetector detector = ZooKeeperMasterDetector.connect(
                    ZooKeeperAddress.parse("zk://" + zookeeper.getConnectString() + "/mesos"), Duration.ofSeconds(5));
            toClose.add(detector);
            SchedulerConfig config = SchedulerConfig.defaults(detector.leader(), "root", "builder.test")
                    .withOfferTimeout(Duration.ofSeconds(10))
                    .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)))
                    .withDetector(detector);
            CompletableFuture<BuildOutcome> run = start(runner(config), events);
            TaskInfo task = launchOnOneOffer(first);

            // Failover: the old leader's znode goes, a new leader registers, the old master dies.
            masters.delete().forPath(firstNode);
            ZooKeeperMasterDetectorTest.publish(masters, "/mesos",
                    ZooKeeperMasterDetectorTest.masterInfo("127.0.0.1", second.port()));
            first.close();


            Received subscribe = second.nextCall(Call.Type.SUBSCRIBE);
            assertEquals(FRAMEWORK_ID, subscribe.call().getSubscribe().getFrameworkInfo().getId().getValue(),
                    "the same framework, so that the new leader keeps its task");
            Received reconcile = second.nextCall(Call.Type.RECONCILE);
            assertEquals(task.getTaskId(), reconcile.call().getReconcile().getTasks(0).getTaskId());
            second.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                    TaskResult.success("sha256:" + "d".repeat(64), null, List.of("1.0"), -1, 0).toBytes())));
            assertEquals("sha256:" + "d".repeat(64), run.get(10, TimeUnit.SECONDS).result().imageId());
            assertTornDownLast(second);
            assertTrue(events.warnings.stream().anyMatch(w -> w.contains("re-subscribing")),
                    events.warnings.toString());
        }
    }

    private static Offer withText(Offer offer, String name, String value) {
        return offer.toBuilder().addAttributes(org.apache.mesos.v1.Protos.Attribute.newBuilder().setName(name)
                .setType(org.apache.mesos.v1.Protos.Value.Type.TEXT)
                .setText(org.apache.mesos.v1.Protos.Value.Text.newBuilder().setValue(value))).build();
    }

    /** An agent's /files/read serving one executor's stdout under the virtual sandbox path, like Mesos. */
    private HttpServer fakeAgent(Supplier<String> executorId, String stdout) throws IOException {
        return fakeAgent(executorId, stdout, null);
    }

    /** Like {@link #fakeAgent(Supplier, String)}, refusing with 401 a read without {@code authorization}. */
    private HttpServer fakeAgent(Supplier<String> executorId, String stdout, String authorization) throws IOException {
        HttpServer agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] file = stdout.getBytes(StandardCharsets.UTF_8);
        agent.createContext("/files/read", exchange -> {
            sandboxReads.incrementAndGet();
            if (authorization != null && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"mesos-agent-readonly\"");
                byte[] refusal = "401 Unauthorized.".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(401, refusal.length);
                exchange.getResponseBody().write(refusal);
                exchange.close();
                return;
            }
            Map<String, String> query = new HashMap<>();
            for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            String expected = "/frameworks/" + FRAMEWORK_ID + "/executors/" + executorId.get() + "/runs/latest/stdout";
            byte[] body = new byte[0];
            int code = 404;
            if (expected.equals(query.get("path"))) {
                code = 200;
                int offset = (int) Math.min(file.length, Long.parseLong(query.get("offset")));
                int end = (int) Math.min(file.length, offset + Long.parseLong(query.get("length")));
                body = new ObjectMapper().writeValueAsBytes(Map.of("data",
                        new String(file, offset, end - offset, StandardCharsets.UTF_8), "offset", offset));
            }
            exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        agent.start();
        toClose.add(() -> agent.stop(0));
        return agent;
    }

    private static TaskInfo launchOnAgentAt(FakeMesosMaster master, int agentPort) throws Exception {
        master.nextCall(Call.Type.SUBSCRIBE);
        Offer offer = offer("O1", AGENT_ID, 2, 23081);
        master.send(offers(offer.toBuilder().setUrl(offer.getUrl().toBuilder().setAddress(
                offer.getUrl().getAddress().toBuilder().setPort(agentPort))).build()));
        return master.nextCall(Call.Type.ACCEPT).call().getAccept().getOperations(0).getLaunch().getTaskInfos(0);
    }

    @Test
    void lostFramesAreReadBackFromTheSandboxAndShownInTheirPlace() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        AtomicReference<String> executorId = new AtomicReference<>();
        HttpServer agent = fakeAgent(executorId::get, "portainer-executor: launched\nline 0\nline 1\n"
                + "portainer-executor: a note\nline 2\nline 3\nline 4\nportainer-executor: TASK_FINISHED\n");
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        executorId.set(task.getExecutor().getExecutorId().getValue());

        master.send(message(task, 0, "line 0"));
        master.send(message(task, 2, "line 2")); // 1 is lost
        master.send(message(task, 3, "line 3"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.logs.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of("line 0", "line 1", "line 2", "line 3"), events.logs,
                "the gap is filled in place while the build still runs");
        // 4 is lost too, at the end, where no later frame shows the gap: the executor's count does.
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, 5).toBytes())));

        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4"), events.logs);
        assertEquals(List.of(), outcome.missingLogSeqs());
        assertEquals(List.of(), events.warnings);
    }

    @Test
    void linesOfLostBatchedFramesAreReadBackInPartsAndEveryLineIsShownOnceInOrder() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        int total = 25_000;
        List<String> lines = new ArrayList<>();
        StringBuilder stdout = new StringBuilder("portainer-executor: launched\n");
        for (int i = 1; i <= total; i++) {
            lines.add(Integer.toString(i));
            stdout.append(i).append('\n');
            if (i % 7_000 == 0) {
                stdout.append("portainer-executor: a note among the lines\n");
            }
        }
        AtomicReference<String> executorId = new AtomicReference<>();
        HttpServer agent = fakeAgent(executorId::get, stdout + "portainer-executor: TASK_FINISHED\n");
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        executorId.set(task.getExecutor().getExecutorId().getValue());

        // Frames of thousands of lines each, as the executor batches a chatty RUN step: [8000, 20000) is lost (more
        // than one read-back part), so is the tail after 24000, which only the executor's count reveals.
        master.send(frame(task, lines, 0, 5_000));
        master.send(frame(task, lines, 5_000, 8_000));
        master.send(frame(task, lines, 20_000, 24_000));
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, total).toBytes())));

        BuildOutcome outcome = run.get(20, TimeUnit.SECONDS);
        assertEquals(total, events.logs.size(), "every line once");
        assertEquals(lines, events.logs, "in order");
        assertEquals(total, outcome.logLinesReceived());
        assertEquals(List.of(), outcome.missingLogSeqs());
        assertEquals(List.of(), events.warnings);
    }

    @Test
    void framesArrivingFasterThanMavenShowsThemAreDroppedBeyondABoundAndReadBackInPlace() throws Exception {
        FakeMesosMaster master = master();
        int total = 20_000;
        List<String> lines = new ArrayList<>();
        StringBuilder stdout = new StringBuilder("portainer-executor: launched\n");
        for (int i = 1; i <= total; i++) {
            lines.add("line " + i);
            stdout.append("line ").append(i).append('\n');
        }
        AtomicReference<String> executorId = new AtomicReference<>();
        HttpServer agent = fakeAgent(executorId::get, stdout.toString());
        // Maven is busy showing the first line while the rest of the build's frames arrive.
        java.util.concurrent.CountDownLatch mavenBusy = new java.util.concurrent.CountDownLatch(1);
        Events slow = new Events() {
            @Override
            public void log(String taskName, String line) {
                super.log(taskName, line);
                try {
                    mavenBusy.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SchedulerConfig config = config(master.address());
        long bound = 16 * 1024;
        BuildRun buildRun = new BuildRun(config, Clock.systemUTC(), () -> new UUID(0, uuids.incrementAndGet()),
                List.of(TASK), false, slow, new MesosSchedulerClient(config, Clock.systemUTC()), null, bound);
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = CompletableFuture.supplyAsync(() -> {
            try {
                return buildRun.executeAll();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        executorId.set(task.getExecutor().getExecutorId().getValue());

        master.send(frame(task, lines, 0, 1));
        for (int from = 1; from < total; from += 1_000) {
            master.send(frame(task, lines, from, Math.min(total, from + 1_000))); // ~10 KB each: most find no room
        }
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, total).toBytes())));
        // Frames are dropped from the second one that finds no room, whenever Maven is released: the loop holds the
        // first line until then. Released a little later, so that most frames arrive while it is busy.
        Thread.sleep(500);
        mavenBusy.countDown();

        Outcome<BuildTask, BuildOutcome> outcome = run.get(20, TimeUnit.SECONDS).get(0);
        assertEquals(null, outcome.failure());
        assertEquals(lines, slow.logs, "every line once, in order");
        assertEquals(List.of(), outcome.result().missingLogSeqs());
        assertEquals(List.of(), slow.warnings);
        assertTrue(sandboxReads.get() > 0, "dropped frames were read back from the sandbox");
    }

    @Test
    void framesThatComeAfterTheFinalUpdateAreShownAsTheyComeNotReadBackTwice() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 3_000; i++) {
            lines.add("line " + i);
        }
        AtomicReference<String> executorId = new AtomicReference<>();
        HttpServer agent = fakeAgent(executorId::get, String.join("\n", lines) + "\n");
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        executorId.set(task.getExecutor().getExecutorId().getValue());

        // The final update travels apart from the frames and overtakes the last of them.
        master.send(frame(task, lines, 0, 1_000));
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, 3_000).toBytes())));
        master.send(frame(task, lines, 1_000, 2_000));
        Thread.sleep(50); // well within the wait for the tail (BuildRun.LOG_GAP_WAIT)
        master.send(frame(task, lines, 2_000, 3_000));

        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals(lines, events.logs);
        assertEquals(List.of(), outcome.missingLogSeqs());
        assertEquals(0, sandboxReads.get(), "nothing read back: the frames came");
    }

    /** One framework message with the lines [from, to) of {@code lines}, numbered from 0. */
    private static Event frame(TaskInfo task, List<String> lines, int from, int to) {
        return Event.newBuilder().setType(Event.Type.MESSAGE).setMessage(Event.Message.newBuilder()
                .setAgentId(task.getAgentId()).setExecutorId(task.getExecutor().getExecutorId())
                .setData(ByteString.copyFrom(LogFrame.of(from, lines.subList(from, to)).toBytes()))).build();
    }

    @Test
    void lostFramesAreReadBackWithTheFrameworksCredentialFromAnAgentThatRequiresIt() throws Exception {
        FakeMesosMaster master = master();
        MesosCredential credential = new MesosCredential("builder", dev.portainer.wire.auth.Secret.of("pa55"), "test");
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address()).withCredential(credential)),
                events);
        AtomicReference<String> executorId = new AtomicReference<>();
        HttpServer agent = fakeAgent(executorId::get, "line 0\nline 1\nline 2\n", "Basic "
                + java.util.Base64.getEncoder().encodeToString("builder:pa55".getBytes(StandardCharsets.UTF_8)));
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        executorId.set(task.getExecutor().getExecutorId().getValue());

        master.send(message(task, 0, "line 0")); // 1 and 2 are lost
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, 3).toBytes())));

        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("line 0", "line 1", "line 2"), events.logs);
        assertEquals(List.of(), outcome.missingLogSeqs());
    }

    @Test
    void linesReadBackFromTheSandboxAreShownAsReceivedOnesBlankLinesWarningsAndAll() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        AtomicReference<String> executorId = new AtomicReference<>();
        // Docker's parser warning (a red stderr block), then a RUN step's blank line: every line one of stdout.
        List<String> lines = List.of("\u001b[91m[WARNING]: Empty continuation line found in:",
                "    RUN echo a   && echo b", "\u001b[0mStep 1/2 : FROM busybox", "one", "", "two",
                "\u001b[91merr-line", "\u001b[0m", "", "[Warning] One or more build-args [FOO] were not consumed");
        HttpServer agent = fakeAgent(executorId::get, "portainer-executor: launched\n" + String.join("\n", lines)
                + "\nportainer-executor: TASK_FINISHED\n");
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        executorId.set(task.getExecutor().getExecutorId().getValue());

        // Every other frame is lost, the warning block's second line and the blank ones among them.
        for (int seq = 0; seq < lines.size(); seq += 2) {
            master.send(message(task, seq, lines.get(seq)));
        }
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, lines.size()).toBytes())));

        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("[WARNING]: Empty continuation line found in:", "    RUN echo a   && echo b",
                "Step 1/2 : FROM busybox", "one", "", "two", "err-line", "", "",
                "[Warning] One or more build-args [FOO] were not consumed"), events.logs, "in place, no escapes");
        assertEquals(List.of("[WARNING]: Empty continuation line found in:", "    RUN echo a   && echo b",
                "[Warning] One or more build-args [FOO] were not consumed"), events.logWarnings);
        assertEquals(List.of(), outcome.missingLogSeqs());
        assertEquals(List.of(), events.warnings);
    }

    @Test
    void linesTheAgentCannotServeAreReportedLostWithWhereTheFullLogIs() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<BuildOutcome> run = start(runner(config(master.address())), events);
        HttpServer agent = fakeAgent(() -> "another-executor", "line 0\nline 1\nline 2\n");
        TaskInfo task = launchOnAgentAt(master, agent.getAddress().getPort());
        master.send(message(task, 0, "line 0"));
        master.send(message(task, 2, "line 2"));
        master.send(update(task, TaskState.TASK_FINISHED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.success("sha256:" + "f".repeat(64), null, List.of("1.0"), -1, 3).toBytes())));

        BuildOutcome outcome = run.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("line 0", "line 2"), events.logs);
        assertEquals(List.of(1L), outcome.missingLogSeqs());
        assertEquals(1, events.warnings.size(), events.warnings.toString());
        assertTrue(events.warnings.get(0).contains("HTTP 404"), events.warnings.toString());
        assertTrue(events.warnings.get(0).contains("runs/latest/stdout on http://127.0.0.1:"), events.warnings.get(0));
    }

    // Several images in one run.

    private static BuildTask named(String name) {
        return new BuildTask(name, SPEC, 1, 512, TASK.executor());
    }

    private static CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> startAll(BuildRunner runner,
            Events events, boolean failFast, BuildTask... tasks) {
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(runner.runAll(List.of(tasks), failFast, events));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "test-build-all");
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static TaskInfo launched(List<TaskInfo> tasks, String name) {
        return tasks.stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no task " + name + " in " + tasks));
    }

    private static List<TaskInfo> taskInfos(Received accept) {
        return accept.call().getAccept().getOperationsList().stream()
                .flatMap(o -> o.getLaunch().getTaskInfosList().stream()).toList();
    }

    private static ByteString success(char digit, int lines) {
        return ByteString.copyFrom(TaskResult.success("sha256:" + String.valueOf(digit).repeat(64), null,
                List.of("1.0"), -1, lines).toBytes());
    }

    @Test
    void twoBuildsLaunchFromOneOfferThatFitsBothEachWithItsOwnExecutorAndLog() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, named("team/a"), named("team/b"));
        master.nextCall(Call.Type.SUBSCRIBE);
        // 2 × (1 + 0.1) cpus and 2 × (512 + 128) MB: exactly two builds.
        master.send(offers(offer("O1", AGENT_ID, 2.2, 1280)));
        Received accept = master.nextCall(Call.Type.ACCEPT);
        assertEquals(1, accept.call().getAccept().getOfferIdsCount());
        List<TaskInfo> tasks = taskInfos(accept);
        assertEquals(2, tasks.size(), tasks.toString());
        TaskInfo a = launched(tasks, "team/a");
        TaskInfo b = launched(tasks, "team/b");
        assertNotEquals(a.getExecutor().getExecutorId(), b.getExecutor().getExecutorId());
        assertResources(a.getResourcesList(), 1, 512);
        assertResources(b.getExecutor().getResourcesList(), 0.1, 128);
        master.awaitCall(Call.Type.SUPPRESS);

        master.send(message(b, 0, "b says hello"));
        master.send(message(a, 0, "a says hello"));
        master.send(update(b, TaskState.TASK_FINISHED, UUID.randomUUID(), success('b', 1)));
        master.send(update(a, TaskState.TASK_FINISHED, UUID.randomUUID(), success('a', 1)));

        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("team/a", "team/b"), outcomes.stream().map(o -> o.subject().name()).toList());
        assertEquals("sha256:" + "a".repeat(64), outcomes.get(0).result().result().imageId());
        assertEquals("sha256:" + "b".repeat(64), outcomes.get(1).result().result().imageId());
        assertEquals(List.of("b says hello", "a says hello"), events.logs);
        assertEquals(List.of("team/b", "team/a"), events.taskNames);
        assertEquals(1, master.types().stream().filter(Call.Type.SUBSCRIBE::equals).count(), "one framework");
        assertTornDownLast(master);
    }

    @Test
    void buildsThatDoNotFitOneOfferLaunchFromTwoAgentsAndSuppressOnlyOnceAllAreLaunched() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, named("team/a"), named("team/b"));
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 1.5, 1024)));
        Received first = master.nextCall(Call.Type.ACCEPT);
        TaskInfo a = launched(taskInfos(first), "team/a");
        assertEquals(1, taskInfos(first).size());
        Thread.sleep(100);
        assertFalse(master.types().contains(Call.Type.SUPPRESS), "team/b still waits: " + master.types());

        master.send(offers(offer("O2", "S1", 1.5, 1024)));
        Received second = master.nextCall(Call.Type.ACCEPT);
        TaskInfo b = launched(taskInfos(second), "team/b");
        assertEquals("S1", b.getAgentId().getValue());
        master.awaitCall(Call.Type.SUPPRESS);

        master.send(update(a, TaskState.TASK_FINISHED, UUID.randomUUID(), success('a', 0)));
        master.send(update(b, TaskState.TASK_FINISHED, UUID.randomUUID(), success('b', 0)));
        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertTrue(outcomes.stream().allMatch(Outcome::succeeded), outcomes.toString());
        assertEquals("agent-S1", outcomes.get(1).result().agentHostname());
        assertTornDownLast(master);
    }

    @Test
    void oneFailedBuildLetsTheOthersFinishThenReportsTheFailure() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, named("team/a"), named("team/b"));
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 4, 4096)));
        List<TaskInfo> tasks = taskInfos(master.nextCall(Call.Type.ACCEPT));
        TaskInfo a = launched(tasks, "team/a");
        TaskInfo b = launched(tasks, "team/b");
        master.send(update(a, TaskState.TASK_FAILED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.failure("COPY failed: no such file", null, 0).toBytes())));
        Thread.sleep(200);
        assertFalse(run.isDone(), "team/b is still building");
        assertFalse(master.types().contains(Call.Type.KILL), master.types().toString());
        master.send(update(b, TaskState.TASK_FINISHED, UUID.randomUUID(), success('b', 0)));

        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertEquals("COPY failed: no such file", assertInstanceOf(BuildFailedException.class,
                outcomes.get(0).failure()).dockerError());
        assertTrue(outcomes.get(1).succeeded(), outcomes.toString());
        assertTrue(events.warnings.stream().anyMatch(w -> w.startsWith("team/a failed: ")), events.warnings.toString());
        assertTornDownLast(master);
    }

    @Test
    void failFastKillsTheOtherBuildsAndEndsThemAsCancelled() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, true, named("team/a"), named("team/b"), named("team/c"));
        master.nextCall(Call.Type.SUBSCRIBE);
        // Room for two: team/c waits for an offer when team/a fails.
        master.send(offers(offer("O1", AGENT_ID, 2.2, 1280)));
        List<TaskInfo> tasks = taskInfos(master.nextCall(Call.Type.ACCEPT));
        assertEquals(2, tasks.size());
        TaskInfo a = launched(tasks, "team/a");
        TaskInfo b = launched(tasks, "team/b");
        master.send(update(a, TaskState.TASK_FAILED, UUID.randomUUID(), ByteString.copyFrom(
                TaskResult.failure("exit 3", null, 0).toBytes())));
        Received kill = master.nextCall(Call.Type.KILL);
        assertEquals(b.getTaskId(), kill.call().getKill().getTaskId());
        master.send(update(b, TaskState.TASK_KILLED, UUID.randomUUID(), null));

        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertInstanceOf(BuildFailedException.class, outcomes.get(0).failure());
        for (Outcome<BuildTask, BuildOutcome> cancelled : outcomes.subList(1, 3)) {
            BuildCancelledException e = assertInstanceOf(BuildCancelledException.class, cancelled.failure());
            assertEquals("Stopped because team/a failed and failFast is set", e.getMessage());
        }
        assertEquals(1, master.types().stream().filter(Call.Type.ACCEPT::equals).count(), master.types().toString());
        assertTornDownLast(master);
    }

    @Test
    void cancellingARunOfSeveralKillsEveryTaskAndEndsEachWithTheCancellationEvenWithFailFast() throws Exception {
        FakeMesosMaster master = master();
        BuildRunner runner = runner(config(master.address()));
        // team/b is too big for the offer, team/c after it still fits: b waits between two running builds.
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner, events, true, named("team/a"),
                new BuildTask("team/b", SPEC, 1, 4096, TASK.executor()), named("team/c"));
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 4, 2048)));
        List<TaskInfo> tasks = taskInfos(master.nextCall(Call.Type.ACCEPT));
        assertEquals(List.of("team/a", "team/c"), tasks.stream().map(TaskInfo::getName).toList());
        // team/b ends at once, team/a and team/c are killed: each for the cancellation, none as a failFast.
        runner.cancel();
        List<String> killedIds = List.of(master.nextCall(Call.Type.KILL), master.nextCall(Call.Type.KILL)).stream()
                .map(r -> r.call().getKill().getTaskId().getValue()).sorted().toList();
        assertEquals(tasks.stream().map(t -> t.getTaskId().getValue()).sorted().toList(), killedIds);
        for (TaskInfo t : tasks) {
            master.send(update(t, TaskState.TASK_KILLED, UUID.randomUUID(), null));
        }
        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        for (Outcome<BuildTask, BuildOutcome> o : outcomes) {
            assertEquals("The build was cancelled", assertInstanceOf(BuildCancelledException.class, o.failure())
                    .getMessage(), o.subject().name());
        }
        assertTornDownLast(master);
    }

    private static final ExecutorLaunch SHARED = new ExecutorLaunch(List.of(new FetchUri(
            "file:///m2/portainer-executor-abc.jar", "portainer-executor.jar", false, false, true)),
            "java -jar portainer-executor.jar", 0.1, 128, null, true);

    private static BuildTask sharing(String name, int n) {
        return new BuildTask(name, SPEC.withContextUri("file:///work/target/context-" + n + ".tar"), 1, 512, SHARED);
    }

    private static Event frame(TaskInfo task, long seq, String line, String taskId) {
        return Event.newBuilder().setType(Event.Type.MESSAGE).setMessage(Event.Message.newBuilder()
                .setAgentId(task.getAgentId()).setExecutorId(task.getExecutor().getExecutorId())
                .setData(ByteString.copyFrom(new LogFrame(WireFormat.VERSION, seq, List.of(line), null, taskId)
                        .toBytes()))).build();
    }

    @Test
    void buildsOfOneLaunchShareOneExecutorPerAgentCountedOnceAndEachFrameGoesToItsTask() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, sharing("team/a", 1), sharing("team/b", 2), sharing("team/c", 3));
        master.nextCall(Call.Type.SUBSCRIBE);
        // 2 × 1 cpus + 0.1 once, 2 × 512 + 128 MB once: two builds on one executor, not room for a third.
        master.send(offers(offer("O1", AGENT_ID, 2.1, 1152)));
        List<TaskInfo> first = taskInfos(master.nextCall(Call.Type.ACCEPT));
        assertEquals(List.of("team/a", "team/b"), first.stream().map(TaskInfo::getName).toList());
        TaskInfo a = first.get(0);
        TaskInfo b = first.get(1);
        assertEquals(a.getExecutor(), b.getExecutor(), "Mesos wants the running executor's very ExecutorInfo");
        assertResources(a.getExecutor().getResourcesList(), 0.1, 128);
        assertEquals(List.of("PORTAINER_SEVERAL_TASKS=1"), a.getExecutor().getCommand().getEnvironment()
                .getVariablesList().stream().map(v -> v.getName() + "=" + v.getValue()).toList());
        assertEquals(1, a.getExecutor().getCommand().getUrisCount(), "the jar only: no task's own file");
        assertEquals("file:///work/target/context-2.tar", BuildSpec.fromBytes(b.getData().toByteArray()).contextUri());

        // The executor runs (the offer lists it): team/c needs its task's resources only.
        master.send(offers(offer("O2", AGENT_ID, 1, 512).toBuilder()
                .addExecutorIds(a.getExecutor().getExecutorId()).build()));
        TaskInfo c = taskInfos(master.nextCall(Call.Type.ACCEPT)).get(0);
        assertEquals(a.getExecutor(), c.getExecutor());
        assertResources(c.getResourcesList(), 1, 512);

        master.send(frame(b, 0, "b says hello", b.getTaskId().getValue()));
        master.send(frame(c, 0, "c says hello", c.getTaskId().getValue()));
        master.send(frame(a, 0, "nobody's line", null)); // a shared executor's frame must name its task
        master.send(frame(a, 0, "a says hello", a.getTaskId().getValue()));
        for (TaskInfo t : List.of(a, b, c)) {
            char digit = t.getName().charAt(t.getName().length() - 1);
            master.send(update(t, TaskState.TASK_FINISHED, UUID.randomUUID(), success(digit, 1)));
        }

        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertTrue(outcomes.stream().allMatch(Outcome::succeeded), outcomes.toString());
        assertEquals(List.of("b says hello", "c says hello", "a says hello"), events.logs);
        assertEquals(List.of("team/b", "team/c", "team/a"), events.taskNames);
        assertTornDownLast(master);
    }

    @Test
    void anOfferThatNoLongerListsTheSharedExecutorGetsANewOneWithItsResources() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, sharing("team/a", 1), sharing("team/b", 2));
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 1.1, 640)));
        TaskInfo a = taskInfos(master.nextCall(Call.Type.ACCEPT)).get(0);
        master.send(update(a, TaskState.TASK_FINISHED, UUID.randomUUID(), success('a', 0)));

        // The executor ended (it is not in the offer's executor_ids): team/b may not count on it.
        master.send(offers(offer("O2", AGENT_ID, 1, 512)));
        Thread.sleep(200);
        assertEquals(1, master.types().stream().filter(Call.Type.ACCEPT::equals).count(),
                "1 cpu / 512 MB is too small for a task and a new executor: " + master.types());
        master.send(offers(offer("O3", AGENT_ID, 1.1, 640)));
        TaskInfo b = taskInfos(master.nextCall(Call.Type.ACCEPT)).get(0);
        assertNotEquals(a.getExecutor().getExecutorId(), b.getExecutor().getExecutorId());
        assertResources(b.getExecutor().getResourcesList(), 0.1, 128);
        master.send(update(b, TaskState.TASK_FINISHED, UUID.randomUUID(), success('b', 0)));
        assertTrue(run.get(10, TimeUnit.SECONDS).stream().allMatch(Outcome::succeeded));
        assertTornDownLast(master);
    }

    @Test
    void aSharedExecutorThatDiesRetriesEachOfItsBuildsOnANewExecutor() throws Exception {
        FakeMesosMaster master = master();
        CompletableFuture<List<Outcome<BuildTask, BuildOutcome>>> run = startAll(runner(config(master.address())),
                events, false, sharing("team/a", 1), sharing("team/b", 2));
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(offers(offer("O1", AGENT_ID, 4, 4096)));
        List<TaskInfo> first = taskInfos(master.nextCall(Call.Type.ACCEPT));
        assertEquals(2, first.size());
        master.send(Event.newBuilder().setType(Event.Type.FAILURE).setFailure(Event.Failure.newBuilder()
                .setAgentId(first.get(0).getAgentId()).setExecutorId(first.get(0).getExecutor().getExecutorId())
                .setStatus(9 << 8)).build());
        for (TaskInfo t : first) {
            master.send(failedUpdate(t, TaskState.TASK_FAILED, TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                    "Executor terminated"));
        }

        master.nextCall(Call.Type.REVIVE);
        // The dead executor is not in the offer: both retries go to a new one, counted once.
        master.send(offers(offer("O2", AGENT_ID, 2.1, 1152)));
        List<TaskInfo> second = taskInfos(master.nextCall(Call.Type.ACCEPT));
        if (second.size() < 2) {
            second = new java.util.ArrayList<>(second);
            master.send(offers(offer("O3", AGENT_ID, 1, 512).toBuilder()
                    .addExecutorIds(second.get(0).getExecutor().getExecutorId()).build()));
            second.addAll(taskInfos(master.nextCall(Call.Type.ACCEPT)));
        }
        assertEquals(2, second.size());
        assertEquals(second.get(0).getExecutor(), second.get(1).getExecutor());
        assertNotEquals(first.get(0).getExecutor().getExecutorId(), second.get(0).getExecutor().getExecutorId());
        for (TaskInfo t : second) {
            char digit = t.getName().charAt(t.getName().length() - 1);
            master.send(update(t, TaskState.TASK_FINISHED, UUID.randomUUID(), success(digit, 0)));
        }
        List<Outcome<BuildTask, BuildOutcome>> outcomes = run.get(10, TimeUnit.SECONDS);
        assertTrue(outcomes.stream().allMatch(Outcome::succeeded), outcomes.toString());
        assertEquals(2, events.warnings.stream().filter(w -> w.contains("REASON_EXECUTOR_TERMINATED")
                && w.contains("retrying (attempt 2 of 3)")).count(), events.warnings.toString());
        assertEquals(2, events.infos.stream().filter(i -> i.contains("The Portainer executor of team/")
                && i.contains(" exited with status 2304")).count(), events.infos.toString());
        assertTornDownLast(master);
    }
}
