package dev.portainer.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How executors end: crash, kill, teardown, registration timeout, failed fetch; and what the scheduler hears. */
class ExecutorLifecycleTest {
    private LocalMesos mesos;
    @TempDir
    Path standbyDirectory;
    private TestScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1000)
                .executorShutdownGracePeriod(Duration.ofSeconds(1))
                .executorRegistrationTimeout(Duration.ofSeconds(2))
                .heartbeatInterval(Duration.ofMillis(500))
                .build());
        scheduler = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"lifecycle\"}");
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        mesos.close();
    }

    @Test
    void executorDyingMidTaskFailsTheTaskAndReportsItsExitStatus() throws Exception {
        String marker = "sleep 3101";
        launch("crash", TestScheduler.bashExecutor("(" + marker + " &); sleep 0.3; exit 3"));
        JsonNode running = scheduler.nextUpdate("crash", "TASK_RUNNING", 20);
        scheduler.acknowledge(running);
        JsonNode failedUpdate = scheduler.nextUpdate("crash", "TASK_FAILED", 20);
        JsonNode failed = failedUpdate.at("/update/status");
        assertEquals("SOURCE_AGENT", failed.path("source").asText());
        assertEquals("REASON_EXECUTOR_TERMINATED", failed.path("reason").asText());
        assertEquals("Executor terminated", failed.path("message").asText());
        assertTrue(failed.has("uuid"), "agent-generated updates are acknowledged like executor ones");
        JsonNode failure = scheduler.next("FAILURE", 20);
        assertEquals(3 << 8, failure.at("/failure/status").asInt(), "a wait(2) status, like Mesos");
        assertTrue(Processes.noneWithin(marker, 3000), "what the executor left behind is killed too");
        scheduler.acknowledge(failedUpdate);
        assertEquals(2.0, cpusOfferedUntil(2.0), 1e-9, "task and executor resources are offered again");
    }

    /**
     * The cpus of the offers that come until they add up to {@code total}. The rest of the agent (1.8 cpus) may have
     * been offered again while the task ran (its filter lasts a second) and is held by that offer, as in Mesos; what
     * the task and its executor give back then comes in an offer of its own.
     */
    private double cpusOfferedUntil(double total) throws Exception {
        double offered = 0;
        for (int i = 0; i < 3 && offered < total - 1e-9; i++) {
            offered += cpus(scheduler.offer(10));
        }
        return offered;
    }

    @Test
    void aStandbyExecutorBecomesTheExecutorOfTheLaunchOfItsCommand() throws Exception {
        String marker = "standby-3201";
        // Like the executor's --standby: read the launch's environment (NUL-ended entries), then be that executor.
        Path jar = Files.writeString(standbyDirectory.resolve("executor.jar"), "jar");
        mesos.prepareExecutor("exec never-run-3201", List.of("bash", "-c", "# " + marker + "\n"
                + "test -f executor.jar && linked=linked\n"
                + "while IFS= read -r -d '' kv; do export \"$kv\"; done\n"
                + "cd \"$MESOS_SANDBOX\" && echo \"$MESOS_EXECUTOR_ID $linked\" > standby-was.txt\n"
                + TestScheduler.bashExecutorScript("sleep 30")), jar);
        awaitProcess(marker);

        launch("stood-in", "{\"value\":\"exec never-run-3201\",\"shell\":true}");

        scheduler.acknowledge(scheduler.nextUpdate("stood-in", "TASK_RUNNING", 20));
        Path sandbox = sandboxes().findFirst().orElseThrow();
        assertEquals("exec-stood-in linked", Files.readString(sandbox.resolve("standby-was.txt")).strip(),
                "the standby started next to its jar, got the launch's environment and moved to its sandbox");
        assertFalse(Files.readString(sandbox.resolve("stderr")).contains("never-run"),
                "the launch's own command never ran");

        mesos.close();

        assertTrue(Processes.noneWithin(marker, 5000), "stopped with the agent like any executor");
    }

    @Test
    void aStandbyExecutorNoLaunchTookIsKilledWithTheAgent() throws Exception {
        String marker = "standby-3202";
        mesos.prepareExecutor("exec never-run-3202", List.of("bash", "-c", "# " + marker + "\nread -r waiting; true"),
                Files.writeString(standbyDirectory.resolve("executor.jar"), "jar"));
        awaitProcess(marker);
        launch("other", TestScheduler.bashExecutor("sleep 30"));
        scheduler.acknowledge(scheduler.nextUpdate("other", "TASK_RUNNING", 20));
        assertEquals(1, Processes.withMarker(marker).size(), "another command's launch does not take the standby");

        mesos.close();

        assertTrue(Processes.noneWithin(marker, 5000), "the unused standby is gone with the agent");
    }

    private static void awaitProcess(String marker) throws InterruptedException {
        // Until it is seen twice in a row: the standby is `nice -n 10 bash -c …`, and while nice execs bash the
        // process's command line can read as empty for a moment (CI once saw it, then not).
        long deadline = System.currentTimeMillis() + 10_000;
        int seen = 0;
        while (seen < 2 && System.currentTimeMillis() < deadline) {
            seen = Processes.withMarker(marker).size() == 1 ? seen + 1 : 0;
            Thread.sleep(20);
        }
        assertEquals(1, Processes.withMarker(marker).size(), "the standby process started");
    }

    @Test
    void killOfATaskNotYetLaunchedKillsTheExecutorsProcessTree() throws Exception {
        String marker = "sleep 3102";
        launch("never", "{\"value\":\"" + marker + " & " + marker + "\",\"shell\":true}");
        long deadline = System.currentTimeMillis() + 10_000;
        while (Processes.withMarker(marker).size() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(202, scheduler.call("KILL", "kill", "{\"task_id\":{\"value\":\"never\"}}").statusCode());
        JsonNode killed = scheduler.nextUpdate("never", "TASK_KILLED", 10).at("/update/status");
        assertEquals("REASON_TASK_KILLED_DURING_LAUNCH", killed.path("reason").asText());
        assertTrue(Processes.noneWithin(marker, 5000), "both sleeps are gone");
        assertEquals(9, scheduler.next("FAILURE", 10).at("/failure/status").asInt(), "killed by SIGKILL");
    }

    @Test
    void killOfARunningTaskReachesTheExecutor() throws Exception {
        launch("victim", TestScheduler.bashExecutor(
                "for i in $(seq 1 100); do grep -q '\"KILL\"' events.txt && break; sleep 0.1; done; upd TASK_KILLED"));
        scheduler.acknowledge(scheduler.nextUpdate("victim", "TASK_RUNNING", 20));
        assertEquals(202, scheduler.call("KILL", "kill", "{\"task_id\":{\"value\":\"victim\"}}").statusCode());
        JsonNode killed = scheduler.nextUpdate("victim", "TASK_KILLED", 20).at("/update/status");
        assertEquals("SOURCE_EXECUTOR", killed.path("source").asText());
    }

    @Test
    void frameworkMessagesReachTheExecutor() throws Exception {
        launch("talk", TestScheduler.bashExecutor(
                "for i in $(seq 1 100); do grep -q '\"MESSAGE\"' events.txt && break; sleep 0.1; done; upd TASK_FINISHED"));
        JsonNode running = scheduler.nextUpdate("talk", "TASK_RUNNING", 20);
        scheduler.acknowledge(running);
        String data = java.util.Base64.getEncoder().encodeToString("build now".getBytes());
        assertEquals(202, scheduler.call("MESSAGE", "message", "{\"agent_id\":" + running.at("/update/status/agent_id")
                + ",\"executor_id\":{\"value\":\"exec-talk\"},\"data\":\"" + data + "\"}").statusCode());
        scheduler.nextUpdate("talk", "TASK_FINISHED", 20);
        String events = Files.readString(sandboxes().findFirst().orElseThrow().resolve("events.txt"));
        assertTrue(events.contains("\"type\":\"MESSAGE\",\"message\":{\"data\":\"" + data + "\"}"), events);
    }

    @Test
    void teardownShutsDownThenKillsTheExecutorsProcessTree() throws Exception {
        String marker = "sleep 3103";
        launch("stubborn", TestScheduler.bashExecutor("trap '' TERM; " + marker + "; sleep 60"));
        scheduler.acknowledge(scheduler.nextUpdate("stubborn", "TASK_RUNNING", 20));
        assertFalse(Processes.withMarker(marker).isEmpty());
        Path events = sandboxes().findFirst().orElseThrow().resolve("events.txt");
        assertEquals(202, scheduler.call("TEARDOWN", null, null).statusCode());
        assertTrue(Processes.noneWithin(marker, 6000), "killed after the 1s grace period");
        assertTrue(Files.readString(events).contains("\"type\":\"SHUTDOWN\""), "SHUTDOWN came first");
    }

    @Test
    void executorThatNeverSubscribesIsKilledAfterTheRegistrationTimeout() throws Exception {
        String marker = "sleep 3104";
        launch("silent", "{\"value\":\"" + marker + "\",\"shell\":true}");
        JsonNode failed = scheduler.nextUpdate("silent", "TASK_FAILED", 10).at("/update/status");
        assertEquals("REASON_EXECUTOR_REGISTRATION_TIMEOUT", failed.path("reason").asText());
        assertEquals("Executor did not register within 2secs", failed.path("message").asText());
        assertTrue(Processes.noneWithin(marker, 3000));
    }

    @Test
    void failedFetchFailsTheTaskAsAContainerLaunchFailure() throws Exception {
        launch("nofetch", "{\"value\":\"true\",\"shell\":true,\"uris\":[{\"value\":\"/does/not/exist.jar\"}]}");
        JsonNode failed = scheduler.nextUpdate("nofetch", "TASK_FAILED", 10).at("/update/status");
        assertEquals("SOURCE_AGENT", failed.path("source").asText());
        assertEquals("REASON_CONTAINER_LAUNCH_FAILED", failed.path("reason").asText());
        String message = failed.path("message").asText();
        // as a real agent says it: how the fetcher exited, its reasons in the sandbox's stderr only
        assertTrue(message.matches("Failed to launch container: Failed to fetch all URIs for container '[-0-9a-f]+':"
                + " exited with status 1"), message);
        Path stderr = sandboxes().findFirst().orElseThrow().resolve("stderr");
        assertTrue(Files.readString(stderr).matches("(?s).*\\nE\\d{4} [0-9:.]+ +\\d+ fetcher\\.cpp:615\\] EXIT with status 1:"
                + " Failed to fetch '/does/not/exist\\.jar': .*"), Files.readString(stderr));
    }

    @Test
    void invalidTasksAreAnsweredWithTaskErrorFromTheMaster() throws Exception {
        JsonNode offer = scheduler.offer(10);
        String tooBig = "{\"offer_ids\":[" + offer.get("id") + "],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":"
                + "{\"task_infos\":[{\"name\":\"big\",\"task_id\":{\"value\":\"big\"},\"agent_id\":"
                + offer.get("agent_id") + ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
                + "{\"value\":64}}],\"executor\":{\"executor_id\":{\"value\":\"e\"},\"command\":{\"value\":\"true\"}}}]}}]}";
        assertEquals(202, scheduler.call("ACCEPT", "accept", tooBig).statusCode());
        JsonNode error = scheduler.nextUpdate("big", "TASK_ERROR", 10).at("/update/status");
        assertEquals("SOURCE_MASTER", error.path("source").asText());
        assertEquals("REASON_TASK_INVALID", error.path("reason").asText());
        assertFalse(error.has("uuid"), "master-generated updates need no acknowledgement");
        assertEquals("Total resources cpus(allocated: *):64 required by task and its executor is more than"
                + " available cpus(allocated: *):2; mem(allocated: *):2048; disk(allocated: *):1000;"
                + " ports(allocated: *):[31000-32000]", error.path("message").asText());

        assertEquals(202, scheduler.launch(offer, "stale", "e", "{\"value\":\"true\"}").statusCode());
        JsonNode lost = scheduler.nextUpdate("stale", "TASK_LOST", 10).at("/update/status");
        assertEquals("REASON_INVALID_OFFERS", lost.path("reason").asText());
        assertEquals("Task launched with invalid offers: Offer " + offer.at("/id/value").asText()
                + " is no longer valid", lost.path("message").asText());
    }

    @Test
    void reconciliationAnswersWithTheLatestStateAndNoUuid() throws Exception {
        launch("rec", TestScheduler.bashExecutor("sleep 30"));
        scheduler.acknowledge(scheduler.nextUpdate("rec", "TASK_RUNNING", 20));
        assertEquals(202, scheduler.call("RECONCILE", "reconcile", "{\"tasks\":[]}").statusCode());
        JsonNode implicit = scheduler.nextUpdate("rec", "TASK_RUNNING", 10).at("/update/status");
        assertEquals("REASON_RECONCILIATION", implicit.path("reason").asText());
        assertFalse(implicit.has("uuid"));
        assertEquals(202, scheduler.call("RECONCILE", "reconcile",
                "{\"tasks\":[{\"task_id\":{\"value\":\"ghost\"}}]}").statusCode());
        JsonNode ghost = scheduler.nextUpdate("ghost", "TASK_LOST", 10).at("/update/status");
        assertEquals("REASON_RECONCILIATION", ghost.path("reason").asText());
    }

    @Test
    void resubscribingWithTheFrameworkIdFailsOverToTheNewStream() throws Exception {
        TestScheduler second = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER
                        + "\",\"name\":\"lifecycle\",\"id\":{\"value\":\"" + scheduler.frameworkId + "\"}}");
        assertEquals(scheduler.frameworkId, second.frameworkId);
        assertFalse(second.streamId.equals(scheduler.streamId));
        assertEquals("Framework failed over", scheduler.next("ERROR", 5).at("/error/message").asText());
        HttpResponse<String> stale = scheduler.call("REVIVE", null, null);
        assertEquals(400, stale.statusCode());
        assertTrue(stale.body().startsWith("The stream ID '" + scheduler.streamId + "'"), stale.body());
        second.close();
    }

    @Test
    void aDisconnectedFrameworkWithoutFailoverTimeoutIsRemoved() throws Exception {
        TestScheduler other = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"gone\"}");
        other.close();
        long deadline = System.currentTimeMillis() + 10_000;
        HttpResponse<String> response;
        do {
            Thread.sleep(200);
            response = other.call("REVIVE", null, null);
        } while (response.statusCode() != 400 && System.currentTimeMillis() < deadline);
        assertEquals("Framework cannot be found", response.body());
    }

    @Test
    void commandTasksRunLikeUnderTheCommandExecutor() throws Exception {
        launchCommand("ok", "echo from-command > out.txt");
        for (String state : new String[] {"TASK_STARTING", "TASK_RUNNING"}) {
            JsonNode update = scheduler.nextUpdate("ok", state, 10);
            assertEquals("SOURCE_EXECUTOR", update.at("/update/status/source").asText());
            assertEquals("ok", update.at("/update/status/executor_id/value").asText());
            scheduler.acknowledge(update);
        }
        JsonNode finished = scheduler.nextUpdate("ok", "TASK_FINISHED", 10);
        assertEquals("Command exited with status 0", finished.at("/update/status/message").asText());
        scheduler.acknowledge(finished);
        assertEquals("from-command\n", Files.readString(sandboxes().findFirst().orElseThrow().resolve("out.txt")));

        launchCommand("bad", "exit 4");
        scheduler.acknowledge(scheduler.nextUpdate("bad", "TASK_STARTING", 10));
        scheduler.acknowledge(scheduler.nextUpdate("bad", "TASK_RUNNING", 10));
        JsonNode failed = scheduler.nextUpdate("bad", "TASK_FAILED", 10);
        assertEquals("Command exited with status 4", failed.at("/update/status/message").asText());
        scheduler.acknowledge(failed);

        String marker = "sleep 3105";
        launchCommand("long", marker);
        scheduler.acknowledge(scheduler.nextUpdate("long", "TASK_STARTING", 10));
        scheduler.acknowledge(scheduler.nextUpdate("long", "TASK_RUNNING", 10));
        assertEquals(202, scheduler.call("KILL", "kill", "{\"task_id\":{\"value\":\"long\"}}").statusCode());
        scheduler.nextUpdate("long", "TASK_KILLED", 10);
        assertTrue(Processes.noneWithin(marker, 3000));
    }

    private void launchCommand(String taskId, String command) throws Exception {
        JsonNode offer = scheduler.offer(10);
        String accept = "{\"offer_ids\":[" + offer.get("id") + "],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":"
                + "{\"task_infos\":[{\"name\":\"c\",\"task_id\":{\"value\":\"" + taskId + "\"},\"agent_id\":"
                + offer.get("agent_id") + ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
                + "{\"value\":0.1}}],\"command\":{\"value\":" + TestScheduler.JSON.writeValueAsString(command)
                + "}}]}}],\"filters\":{\"refuse_seconds\":0}}";
        HttpResponse<String> response = scheduler.call("ACCEPT", "accept", accept);
        assertEquals(202, response.statusCode(), response.body());
    }

    @Test
    void anExecutorForAnotherUserIsNotStartedAtAll() throws Exception {
        scheduler.close(); // without a failover timeout its framework goes, and its offer with it
        TestScheduler stranger = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"not-" + TestScheduler.USER + "\",\"name\":\"other-user\"}");
        try {
            Path witness = standbyDirectory.resolve("ran-as-someone-else");
            JsonNode offer = stranger.offer(10);
            assertEquals(202, stranger.launch(offer, "who", "exec-who",
                    TestScheduler.bashExecutor("touch " + witness + "; sleep 5")).statusCode());
            JsonNode failed = stranger.nextUpdate("who", "TASK_FAILED", 20).at("/update/status");
            assertEquals("REASON_CONTAINER_LAUNCH_FAILED", failed.path("reason").asText());
            assertEquals("Failed to launch container: The embedded agent runs executors as '" + TestScheduler.USER
                    + "' and cannot switch to user 'not-" + TestScheduler.USER + "' (FrameworkInfo.user): build as '"
                    + TestScheduler.USER + "'", failed.path("message").asText());
            assertFalse(Files.exists(witness), "nothing ran");
        } finally {
            stranger.close();
        }
    }

    private void launch(String taskId, String command) throws Exception {
        JsonNode offer = scheduler.offer(10);
        HttpResponse<String> response = scheduler.launch(offer, taskId, "exec-" + taskId, command);
        assertEquals(202, response.statusCode(), response.body());
    }

    private Stream<Path> sandboxes() throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        Path slaves = mesos.workDir().resolve("slaves");
        while (!Files.exists(slaves) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        return Files.walk(slaves).filter(p -> p.getParent().getFileName().toString().equals("runs"));
    }

    private static double cpus(JsonNode offer) {
        for (JsonNode resource : offer.path("resources")) {
            if (resource.path("name").asText().equals("cpus")) {
                return resource.at("/scalar/value").asDouble();
            }
        }
        return 0;
    }
}
