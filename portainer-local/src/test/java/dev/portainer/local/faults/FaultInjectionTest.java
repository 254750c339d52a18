package dev.portainer.local.faults;

import dev.portainer.core.config.Setting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portainer.wire.auth.Secret;
import dev.portainer.core.mesos.scheduler.Backoff;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildOutcome;
import dev.portainer.core.scheduler.BuildRunner;
import dev.portainer.core.scheduler.BuildTask;
import dev.portainer.core.scheduler.ExecutorLaunch;
import dev.portainer.core.scheduler.FetchUri;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.scheduler.TaskFailedException;
import dev.portainer.core.scheduler.Outcome;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.TaskResult;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into a build on the embedded Mesos, driven by the real scheduler ({@link BuildRunner}) and a small
 * curl-and-bash executor speaking the v1 executor API: each ends in its documented outcome with no executor process
 * left and the framework torn down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE_ID = "sha256:" + "c".repeat(64);

    @TempDir
    Path dir;

    private LocalMesos mesos;
    private HttpServer files;
    /** Which requests for the context the file server fails with 500: 1-based request numbers. */
    private volatile List<Integer> failContextRequests = List.of();
    private final AtomicInteger contextRequests = new AtomicInteger();
    private final Events events = new Events();
    private String marker;

    /** Records what the runner reports. */
    static final class Events implements BuildEvents {
        final List<String> infos = new CopyOnWriteArrayList<>();
        final List<String> logs = new CopyOnWriteArrayList<>();
        final List<String> warnings = new CopyOnWriteArrayList<>();

        @Override
        public void info(String message) {
            infos.add(message);
        }

        /** Task states are detail (Maven's -X); these tests wait on them as on progress. */
        @Override
        public void debug(String message) {
            infos.add(message);
        }

        @Override
        public void log(String taskName, String line) {
            logs.add(line);
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }
    }

    @BeforeEach
    void start() throws IOException {
        mesos = startMesos(Map.of());
        files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        files.createContext("/context.tar.gz", exchange -> {
            int n = contextRequests.incrementAndGet();
            byte[] body = "not really a tar".getBytes();
            int status = failContextRequests.contains(n) ? 500 : 200;
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        files.start();
        marker = "portainer-fault-" + UUID.randomUUID();
    }

    private LocalMesos startMesos(Map<String, Secret> credentials) {
        return LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1000)
                .workDir(dir.resolve("mesos-" + UUID.randomUUID()))
                .executorShutdownGracePeriod(Duration.ofSeconds(1))
                .executorRegistrationTimeout(Duration.ofSeconds(5))
                .heartbeatInterval(Duration.ofMillis(500))
                .allocationInterval(Duration.ofMillis(100))
                .frameworkCredentials(credentials)
                .build());
    }

    /** Replaces the embedded Mesos by one that requires this principal to authenticate. */
    private void requireAuthentication(String principal, String secret) {
        mesos.close();
        mesos = startMesos(Map.of(principal, Secret.of(secret)));
    }

    @AfterEach
    void stop() {
        files.stop(0);
        mesos.close();
    }

    private SchedulerConfig config() {
        return SchedulerConfig.defaults(new MesosMaster(MesosMaster.LOCAL, mesos.masterUri()), "root", "faults.test")
                .withOfferTimeout(Duration.ofSeconds(10))
                .withFailoverTimeout(Duration.ofSeconds(10))
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)));
    }

    /**
     * A v1 executor in bash: subscribes, waits for LAUNCH, says TASK_RUNNING and prints a log line (as stdout), then
     * runs {@code then}; {@code finish} sends TASK_FINISHED with a successful build result.
     */
    private BuildTask task(String then) throws IOException {
        String result = Base64.getEncoder().encodeToString(TaskResult.success(IMAGE_ID, null, List.of("1.0"), 1, 0)
                .toBytes());
        String script = String.join("\n",
                "# " + marker,
                "api=\"http://$MESOS_AGENT_ENDPOINT/api/v1/executor\"",
                "auth=\"Authorization: Bearer ${MESOS_EXECUTOR_AUTHENTICATION_TOKEN:-}\"",
                "ids='\"framework_id\":{\"value\":\"'$MESOS_FRAMEWORK_ID'\"},\"executor_id\":{\"value\":\"'"
                        + "$MESOS_EXECUTOR_ID'\"}'",
                "curl -sN -H \"$auth\" -H 'Content-Type: application/json' -H 'Accept: application/json' \\",
                "  -d '{\"type\":\"SUBSCRIBE\",'\"$ids\"',\"subscribe\":{}}' \"$api\" > events.txt &",
                "for i in $(seq 1 100); do grep -q LAUNCH events.txt 2>/dev/null && break; sleep 0.1; done",
                "task=$(grep -o '\"task_id\":{\"value\":\"[^\"]*\"}' events.txt | head -1)",
                "upd() {",
                "  u=$(cat /proc/sys/kernel/random/uuid | tr -d '\\n-' | sed 's/../\\\\x&/g'); u=$(printf \"$u\" | base64)",
                "  curl -s -H \"$auth\" -H 'Content-Type: application/json' -d '{\"type\":\"UPDATE\",'\"$ids\"',\"update\":"
                        + "{\"status\":{'\"$task\"',\"state\":\"'$1'\",\"source\":\"SOURCE_EXECUTOR\",\"uuid\":\"'$u'\""
                        + "'\"$2\"'}}}' \"$api\"",
                "}",
                "finish() { upd TASK_FINISHED ',\"data\":\"" + result + "\"'; sleep 0.5; }",
                "upd TASK_RUNNING",
                then,
                "");
        Path file = dir.resolve("executor-" + UUID.randomUUID() + ".sh");
        Files.writeString(file, script);
        BuildSpec spec = BuildSpec.of("127.0.0.1:5000/faults/app", List.of("1.0"), "Dockerfile", "context.tar.gz",
                false, null);
        return new BuildTask("faults/app", spec, 0.5, 64, new ExecutorLaunch(
                List.of(FetchUri.plain("http://127.0.0.1:" + files.getAddress().getPort() + "/context.tar.gz",
                        "context.tar.gz")),
                "exec bash " + file + " " + marker, 0.1, 32));
    }

    /** Nothing of ours runs any more and the master has forgotten the framework. */
    private void assertNothingLeft() throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!ours().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), ours().stream().map(p -> p.info().commandLine().orElse("?")).toList(),
                "executor processes left behind");
        while (frameworks().size() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, frameworks().size(), "frameworks still registered: " + frameworks());
    }

    private JsonNode frameworks() throws Exception {
        JsonNode state = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                mesos.masterUri().resolve("/state")).build(), HttpResponse.BodyHandlers.ofString()).body());
        return state.path("frameworks");
    }

    private List<ProcessHandle> ours() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
    }

    @Test
    void aFetchThatFailsOnceIsRetriedAndTheBuildSucceeds() throws Exception {
        failContextRequests = List.of(1);
        BuildOutcome outcome;
        try (BuildRunner runner = BuildRunner.create(config())) {
            outcome = buildOne(runner, task("finish"), events);
        }
        assertEquals(IMAGE_ID, outcome.result().imageId());
        assertEquals(2, contextRequests.get());
        assertEquals(1, events.warnings.size(), events.warnings.toString());
        String warning = events.warnings.get(0);
        assertTrue(warning.contains("REASON_CONTAINER_LAUNCH_FAILED") && warning.contains("/context.tar.gz")
                && warning.contains("retrying (attempt 2 of 3)"), warning);
        assertNothingLeft();
    }

    @Test
    void aFetchThatAlwaysFailsEndsAfterTheRetriesNamingTheUri() throws Exception {
        failContextRequests = List.of(1, 2, 3, 4);
        try (BuildRunner runner = BuildRunner.create(config().withRetries(1))) {
            TaskFailedException e = assertInstanceOf(TaskFailedException.class,
                    org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                            () -> buildOne(runner, task("finish"), events)));
            assertEquals("REASON_CONTAINER_LAUNCH_FAILED", e.reason());
            // The agent says only "exited with status 1"; the fetcher's reason is read back from the sandbox.
            assertTrue(e.getMessage().contains("exited with status 1; the fetcher said: Failed to fetch 'http://127.0.0.1:"
                    + files.getAddress().getPort() + "/context.tar.gz'") && e.getMessage().contains("To fix: ")
                    && e.getMessage().contains("attempt 2 of 2, retries used up"), e.getMessage());
        }
        assertEquals(2, contextRequests.get());
        assertNothingLeft();
    }

    @Test
    void anExecutorKilledMidBuildIsRetriedThenFailsWithTheReason() throws Exception {
        try (BuildRunner runner = BuildRunner.create(config().withRetries(1))) {
            TaskFailedException e = assertInstanceOf(TaskFailedException.class,
                    org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                            () -> buildOne(runner, task("sleep 0.3; kill -9 $$"), events)));
            assertEquals("TASK_FAILED", e.state());
            assertEquals("REASON_EXECUTOR_TERMINATED", e.reason());
            assertTrue(e.getMessage().contains("attempt 2 of 2, retries used up")
                    && e.getMessage().contains("attempt 1 on 127.0.0.1: TASK_FAILED (REASON_EXECUTOR_TERMINATED)"),
                    e.getMessage());
        }
        assertEquals(1, events.warnings.stream().filter(w -> w.contains("retrying (attempt 2 of 2)")).count(),
                events.warnings.toString());
        assertNothingLeft();
    }

    @Test
    void anAuthenticatedFrameworkBuildsAndEveryCallCarriesItsCredential() throws Exception {
        requireAuthentication("builder", "s3cr3t-pass");
        MesosCredential credential = new MesosCredential("builder", Secret.of("s3cr3t-pass"),
                "settings.xml server 'mesos'");
        BuildOutcome outcome;
        try (BuildRunner runner = BuildRunner.create(config().withCredential(credential))) {
            // ACCEPT, ACKNOWLEDGE, SUPPRESS and TEARDOWN are all refused without the header, so a build that
            // finishes proves each call carried it.
            outcome = buildOne(runner, task("finish"), events);
        }
        assertEquals(IMAGE_ID, outcome.result().imageId());
        assertNothingLeft();
    }

    @Test
    void aMasterThatRequiresAuthenticationRefusesAFrameworkWithoutCredentialNamingTheParameters() throws Exception {
        requireAuthentication("builder", "s3cr3t-pass");
        try (BuildRunner runner = BuildRunner.create(config())) {
            ClusterException e = org.junit.jupiter.api.Assertions.assertThrows(ClusterException.class,
                    () -> buildOne(runner, task("finish"), events));
            assertTrue(e.getMessage().contains("requires frameworks to authenticate: HTTP 401")
                    && e.getMessage().endsWith(". Set mesosCredential"), e.getMessage());
            assertEquals(java.util.List.of(Setting.MESOS_CREDENTIAL), e.explanation().settings());
        }
        assertEquals(0, contextRequests.get(), "nothing launched");
        assertNothingLeft();
    }

    @Test
    void aWrongSecretIsRejectedNamingThePrincipalAndTheSettingsServer() throws Exception {
        requireAuthentication("builder", "s3cr3t-pass");
        MesosCredential wrong = new MesosCredential("builder", Secret.of("typo"), "settings.xml server 'mesos'");
        try (BuildRunner runner = BuildRunner.create(config().withCredential(wrong))) {
            ClusterException e = org.junit.jupiter.api.Assertions.assertThrows(ClusterException.class,
                    () -> buildOne(runner, task("finish"), events));
            assertTrue(e.getMessage().contains("rejected principal 'builder' with the secret from settings.xml "
                    + "server 'mesos': HTTP 401 (401 Unauthorized.)"), e.getMessage());
            assertTrue(!e.getMessage().contains("typo"), "the secret stays out of messages: " + e.getMessage());
        }
        assertNothingLeft();
    }

    /** The one task's outcome, or its failure thrown: a run of one build, as the plugin makes for one image. */
    private static BuildOutcome buildOne(BuildRunner runner, BuildTask task, BuildEvents events)
            throws BuildException, InterruptedException {
        return runner.runAll(List.of(task), false, events).get(0).orThrow();
    }

    /** Runs the build on another thread, so that the test can inject a fault while it runs. */
    private java.util.concurrent.CompletableFuture<BuildOutcome> startBuild(BuildRunner runner, BuildTask task) {
        java.util.concurrent.CompletableFuture<BuildOutcome> result = new java.util.concurrent.CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(buildOne(runner, task, events));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "fault-build");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    private void awaitInfo(String text) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (events.infos.stream().noneMatch(i -> i.contains(text))) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("no '" + text + "' in " + events.infos + " / " + events.warnings);
            }
            Thread.sleep(20);
        }
    }

    /** An executor that finishes the build once the test creates the file {@code go}. */
    private String finishOnceTold(Path go) {
        return "for i in $(seq 1 300); do [ -f " + go + " ] && break; sleep 0.1; done; finish";
    }

    @Test
    void aDroppedEventStreamIsReSubscribedAndTheBuildCarriesOn() throws Exception {
        Path go = dir.resolve("go");
        try (BuildRunner runner = BuildRunner.create(config())) {
            var run = startBuild(runner, task(finishOnceTold(go)));
            awaitInfo("is running");
            mesos.dropSchedulerStreams();
            awaitInfo("Re-subscribed to the Mesos master; reconciling");
            Files.createFile(go);
            assertEquals(IMAGE_ID, run.get(20, TimeUnit.SECONDS).result().imageId());
        }
        assertTrue(events.warnings.stream().anyMatch(w -> w.startsWith("Lost the connection to the Mesos master")),
                events.warnings.toString());
        assertNothingLeft();
    }

    @Test
    void aMasterEndpointBackWithinTheFailoverTimeoutIsReSubscribedAndTheBuildCarriesOn() throws Exception {
        Path go = dir.resolve("go");
        try (BuildRunner runner = BuildRunner.create(config())) {
            var run = startBuild(runner, task(finishOnceTold(go)));
            awaitInfo("is running");
            mesos.restartMasterEndpoint(Duration.ofSeconds(1));
            awaitInfo("Re-subscribed to the Mesos master; reconciling");
            Files.createFile(go);
            assertEquals(IMAGE_ID, run.get(20, TimeUnit.SECONDS).result().imageId());
        }
        assertNothingLeft();
    }

    @Test
    void aMasterGoneLongerThanTheFailoverTimeoutFailsTheBuildAndTheMasterRemovesItsTask() throws Exception {
        try (BuildRunner runner = BuildRunner.create(config().withFailoverTimeout(Duration.ofSeconds(1)))) {
            var run = startBuild(runner, task("sleep 60"));
            awaitInfo("is running");
            mesos.restartMasterEndpoint(Duration.ofMillis(2500));
            ClusterException e = assertInstanceOf(ClusterException.class, org.junit.jupiter.api.Assertions
                    .assertThrows(java.util.concurrent.ExecutionException.class,
                            () -> run.get(20, TimeUnit.SECONDS)).getCause());
            assertTrue(e.getMessage().contains("for longer than the failover timeout (1 s)"), e.getMessage());
        }
        // The master, back, removed the framework after its failover timeout, and the agent killed the executor.
        assertNothingLeft();
    }

    @Test
    void noOfferAtAllEndsWithTheOfferTimeoutDiagnosis() throws Exception {
        // Another framework holds every offer and never answers: nothing is left for the build.
        dev.portainer.core.mesos.scheduler.MesosSchedulerClient hog =
                new dev.portainer.core.mesos.scheduler.MesosSchedulerClient(config().withFrameworkName("hog"),
                        java.time.Clock.systemUTC());
        java.util.concurrent.CountDownLatch offered = new java.util.concurrent.CountDownLatch(1);
        hog.subscribe(new dev.portainer.core.mesos.scheduler.MesosSchedulerClient.Listener() {
            @Override
            public void onEvent(org.apache.mesos.v1.scheduler.Protos.Event event) {
                if (event.getType() == org.apache.mesos.v1.scheduler.Protos.Event.Type.OFFERS) {
                    offered.countDown();
                }
            }

            @Override
            public void onDisconnected(String reason) {
            }

            @Override
            public void onClosed(ClusterException failure) {
            }
        });
        try {
            assertTrue(offered.await(10, TimeUnit.SECONDS));
            try (BuildRunner runner = BuildRunner.create(config().withOfferTimeout(Duration.ofMillis(1500)))) {
                dev.portainer.core.scheduler.OfferTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(
                        dev.portainer.core.scheduler.OfferTimeoutException.class,
                        () -> buildOne(runner, task("finish"), events));
                assertTrue(e.getMessage().contains("no offer arrived at all"), e.getMessage());
            }
        } finally {
            hog.teardown();
        }
        assertEquals(0, contextRequests.get(), "nothing was launched");
        assertNothingLeft();
    }

    @Test
    void anOfferTooSmallEndsWithTheOfferTimeoutDiagnosisOfWhatWasOffered() throws Exception {
        BuildTask small = task("finish");
        BuildTask big = new BuildTask(small.name(), small.spec(), 64, small.memMb(), small.executor());
        try (BuildRunner runner = BuildRunner.create(config().withOfferTimeout(Duration.ofMillis(1500)))) {
            dev.portainer.core.scheduler.OfferTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.portainer.core.scheduler.OfferTimeoutException.class, () -> buildOne(runner, big, events));
            assertTrue(e.getMessage().contains("it needs 64.1 cpus")
                    && e.getMessage().contains("the largest had 2 cpus"), e.getMessage());
        }
        assertNothingLeft();
    }
}
