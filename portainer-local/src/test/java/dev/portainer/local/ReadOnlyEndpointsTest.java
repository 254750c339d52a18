package dev.portainer.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator (or the end-to-end suite) reads about one framework, as from a Mesos master and agent: the
 * master's {@code /frameworks?framework_id=} and {@code /tasks?framework_id=} before and after its TEARDOWN, and the
 * agent's {@code /state}.
 */
class ReadOnlyEndpointsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalMesos mesos;
    private TestScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1000)
                .executorShutdownGracePeriod(Duration.ofSeconds(1)).build());
        scheduler = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"endpoints\"}");
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        mesos.close();
    }

    @Test
    void aTornDownFrameworkIsCompletedWithItsTasksKilledAndNoExecutorOnTheAgent() throws Exception {
        launch("first");
        String fw = scheduler.frameworkId;

        JsonNode frameworks = master("/frameworks?framework_id=" + fw);
        assertEquals(1, frameworks.path("frameworks").size(), frameworks.toString());
        assertTrue(frameworks.at("/frameworks/0/active").asBoolean(), frameworks.toString());
        assertEquals(0, frameworks.path("completed_frameworks").size(), frameworks.toString());
        JsonNode other = master("/frameworks?framework_id=" + fw + "-not");
        assertEquals(0, other.path("frameworks").size() + other.path("completed_frameworks").size(), other.toString());
        assertEquals(List.of("first:TASK_RUNNING"), tasks("/tasks?framework_id=" + fw));
        assertEquals(List.of("exec-first"), agentExecutors(fw, "frameworks", "executors"));

        assertEquals(202, scheduler.call("TEARDOWN", null, null).statusCode());

        frameworks = master("/frameworks?framework_id=" + fw);
        assertEquals(0, frameworks.path("frameworks").size(), frameworks.toString());
        assertEquals(fw, frameworks.at("/completed_frameworks/0/id").asText(), frameworks.toString());
        // A completed framework's tasks are still listed, as a Mesos master lists them.
        assertEquals(List.of("first:TASK_KILLED"), tasks("/tasks?framework_id=" + fw));
        assertEquals(List.of("first:TASK_KILLED"), tasks("/tasks?framework_id=" + fw + "&task_id=first"));
        assertEquals(List.of(), tasks("/tasks?framework_id=" + fw + "&task_id=second"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!agentExecutors(fw, "frameworks", "executors").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), agentExecutors(fw, "frameworks", "executors"), "the executor was shut down");
        assertEquals(List.of("exec-first"), agentExecutors(fw, "completed_frameworks", "completed_executors"));
    }

    @Test
    void tasksAreOrderedByTheirFirstStatusAndPagedLikeTheMastersTasksEndpoint() throws Exception {
        launch("first");
        launch("second");
        String fw = scheduler.frameworkId;

        assertEquals(List.of("second:TASK_RUNNING", "first:TASK_RUNNING"), tasks("/tasks"));
        assertEquals(List.of("first:TASK_RUNNING", "second:TASK_RUNNING"), tasks("/tasks?order=asc"));
        assertEquals(List.of("second:TASK_RUNNING"), tasks("/tasks?framework_id=" + fw + "&limit=1"));
        assertEquals(List.of("first:TASK_RUNNING"), tasks("/tasks?framework_id=" + fw + "&limit=1&offset=1"));
        assertEquals(List.of(), tasks("/tasks?offset=2"));
        assertEquals(List.of(), tasks("/tasks?framework_id=" + fw + "-not"));
    }

    private void launch(String taskId) throws Exception {
        JsonNode offer = scheduler.offer(10);
        HttpResponse<String> response = scheduler.launch(offer, taskId, "exec-" + taskId,
                TestScheduler.bashExecutor("sleep 60"));
        assertEquals(202, response.statusCode(), response.body());
        scheduler.acknowledge(scheduler.nextUpdate(taskId, "TASK_RUNNING", 20));
    }

    private List<String> tasks(String path) throws Exception {
        List<String> tasks = new ArrayList<>();
        for (JsonNode task : master(path).path("tasks")) {
            tasks.add(task.path("id").asText() + ":" + task.path("state").asText());
        }
        return tasks;
    }

    /** The ids of the executors the agent lists under {@code frameworksField}[fw].{@code executorsField}. */
    private List<String> agentExecutors(String fw, String frameworksField, String executorsField) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode framework : get(mesos.agentUri(), "/state").path(frameworksField)) {
            if (framework.path("id").asText().equals(fw)) {
                framework.path(executorsField).forEach(e -> ids.add(e.path("id").asText()));
            }
        }
        return ids;
    }

    private JsonNode master(String path) throws Exception {
        return get(mesos.masterUri(), path);
    }

    private JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return TestScheduler.JSON.readTree(response.body());
    }
}
