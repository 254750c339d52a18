package dev.portainer.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole life of a task, driven by the very curl-based executor recorded against a real Mesos: offers, launch,
 * framework message, acknowledged updates, the executor's environment, /files/read, /state, teardown, cleanup.
 */
class TranscriptExecutorRoundTripTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void runsTheRecordedExecutorLikeARealMasterAndAgent() throws Exception {
        LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(4096).diskMb(10000).build());
        Path workDir = mesos.workDir();
        int agentPort = mesos.agentUri().getPort();
        String marker = "127.0.0.1:" + agentPort + "/api/v1/executor";
        try (TestScheduler scheduler = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"transcript-recorder\",\"failover_timeout\":60,"
                        + "\"capabilities\":[{\"type\":\"MULTI_ROLE\"}],\"roles\":[\"*\"]}")) {
            JsonNode offer = scheduler.offer(10);
            assertEquals("127.0.0.1", offer.path("hostname").asText());
            assertEquals(agentPort, offer.at("/url/address/port").asInt());
            assertEquals("/slave(1)", offer.at("/url/path").asText());
            assertEquals("*", offer.at("/allocation_info/role").asText());
            assertEquals(2.0, resource(offer, "cpus").at("/scalar/value").asDouble());
            assertEquals(31000, resource(offer, "ports").at("/ranges/range/0/begin").asLong());
            assertTrue(resource(offer, "ports").at("/ranges/range/0/begin").isNumber(), "uint64 as a JSON number");

            ObjectNode accept = (ObjectNode) TestScheduler.JSON.readTree(recordedAccept());
            accept.putObject("framework_id").put("value", scheduler.frameworkId);
            ((ObjectNode) accept.at("/accept/offer_ids/0")).put("value", offer.at("/id/value").asText());
            ((ObjectNode) accept.at("/accept/operations/0/launch/task_infos/0/agent_id"))
                    .put("value", scheduler.agentId);
            // Recorded on an agent without --authenticate_http_executors; this one authenticates executors, so the
            // recorded executor sends the token its environment has, as Mesos's executor library does.
            ArrayNode arguments = (ArrayNode) accept.at("/accept/operations/0/launch/task_infos/0/executor/command"
                    + "/arguments");
            arguments.set(2, TextNode.valueOf(arguments.get(2).asText().replace("curl -s",
                    "curl -H \"Authorization: Bearer $MESOS_EXECUTOR_AUTHENTICATION_TOKEN\" -s")));
            HttpResponse<String> accepted = scheduler.post(accept.toString(), scheduler.streamId);
            assertEquals(202, accepted.statusCode(), accepted.body());
            assertEquals("", accepted.body());

            JsonNode message = scheduler.next("MESSAGE", 30);
            assertEquals("hello scheduler", decode(message.at("/message/data").asText()));
            assertEquals("transcript-executor-1", message.at("/message/executor_id/value").asText());
            assertEquals(scheduler.agentId, message.at("/message/agent_id/value").asText());

            JsonNode running = scheduler.nextUpdate("transcript-task-1", "TASK_RUNNING", 30);
            JsonNode status = running.at("/update/status");
            assertEquals("SOURCE_EXECUTOR", status.path("source").asText());
            assertEquals("result-bytes", decode(status.path("data").asText()));
            assertEquals(16, Base64.getDecoder().decode(status.path("uuid").asText()).length);
            assertEquals("transcript-executor-1", status.at("/executor_id/value").asText());
            assertTrue(status.path("timestamp").asDouble() > 1.0e9);
            scheduler.acknowledge(running);

            JsonNode finished = scheduler.nextUpdate("transcript-task-1", "TASK_FINISHED", 30);
            assertEquals("done", finished.at("/update/status/message").asText());
            scheduler.acknowledge(finished);

            // While the executor still runs (it sleeps 3s after its last update), as in master-state.txt.
            String masterState = getText(mesos.masterUri().resolve("/master/state"));
            assertTrue(masterState.contains("env-values-are-public"), "environment is public in /state");
            assertFalse(masterState.contains("dGFzay1kYXRh"), "TaskInfo.data is not in /state");
            assertFalse(masterState.contains("ZXhlY3V0b3ItZGF0YS1ieXRlcw"), "ExecutorInfo.data is not in /state");
            assertTrue(masterState.contains("\"state\":\"TASK_FINISHED\""), masterState);
            JsonNode failure = scheduler.next("FAILURE", 30);
            assertEquals(0, failure.at("/failure/status").asInt());
            assertEquals("transcript-executor-1", failure.at("/failure/executor_id/value").asText());

            JsonNode agentState = get(mesos.agentUri().resolve("/state"));
            String sandbox = agentState.at("/frameworks/0/completed_executors/0/directory").asText();
            assertTrue(sandbox.startsWith(workDir + "/slaves/" + scheduler.agentId + "/frameworks/"
                    + scheduler.frameworkId + "/executors/transcript-executor-1/runs/"), sandbox);

            List<String> env = Arrays.stream(read(mesos, sandbox + "/executor-env.txt").split("\n"))
                    .map(line -> line.replaceFirst("^(MESOS_EXECUTOR_AUTHENTICATION_TOKEN=)[\\w-]+\\.[\\w-]+\\.[\\w-]+$",
                            "$1<jwt>"))
                    .toList();
            assertEquals(List.of(
                    "LIBPROCESS_IP=127.0.0.1",
                    "LIBPROCESS_PORT=0",
                    "MESOS_AGENT_ENDPOINT=127.0.0.1:" + agentPort,
                    "MESOS_CHECKPOINT=0",
                    "MESOS_DIRECTORY=" + sandbox,
                    "MESOS_EXECUTOR_AUTHENTICATION_TOKEN=<jwt>",
                    "MESOS_EXECUTOR_ID=transcript-executor-1",
                    "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=5secs",
                    "MESOS_FRAMEWORK_ID=" + scheduler.frameworkId,
                    "MESOS_HTTP_COMMAND_EXECUTOR=0",
                    "MESOS_SANDBOX=" + sandbox,
                    "MESOS_SLAVE_ID=" + scheduler.agentId,
                    "MESOS_SLAVE_PID=slave(1)@127.0.0.1:" + agentPort,
                    "VISIBLE_ENV=env-values-are-public"), env);
            assertEquals("line one of the build log\nline two of the build log\n <- MESSAGE -> 202\n"
                    + " <- UPDATE TASK_RUNNING -> 202\n <- UPDATE TASK_FINISHED -> 202\n", read(mesos, sandbox + "/stdout"));
            // Like the real agent, the latest run is also served under a virtual path free of the work directory.
            assertEquals(read(mesos, sandbox + "/stdout"), read(mesos, "/frameworks/" + scheduler.frameworkId
                    + "/executors/transcript-executor-1/runs/latest/stdout"));
            JsonNode size = get(mesos.agentUri().resolve("/files/read?offset=-1&path="
                    + URLEncoder.encode(sandbox + "/stdout", StandardCharsets.UTF_8)));
            assertEquals(134, size.path("offset").asInt());
            assertEquals("", size.path("data").asText());
            String events = read(mesos, sandbox + "/executor-events.txt");
            assertEquals(2, events.split("\"type\":\"ACKNOWLEDGED\"", -1).length - 1, events);
            assertTrue(events.contains("\"type\":\"LAUNCH\""));
            String headers = read(mesos, sandbox + "/subscribe-headers.txt");
            assertTrue(headers.startsWith("HTTP/1.1 200 OK"), headers);
            assertFalse(headers.toLowerCase().contains("mesos-stream-id"), "no stream id on the executor API");

            String agentStateText = agentState.toString();
            assertFalse(agentStateText.contains("dGFzay1kYXRh") || agentStateText.contains("ZXhlY3V0b3ItZGF0YS1ieXRlcw"));
            String token = read(mesos, sandbox + "/executor-env.txt").lines()
                    .filter(line -> line.startsWith("MESOS_EXECUTOR_AUTHENTICATION_TOKEN=")).findFirst().orElseThrow()
                    .substring("MESOS_EXECUTOR_AUTHENTICATION_TOKEN=".length());
            assertFalse(masterState.contains(token) || agentStateText.contains(token),
                    "the executor's token is in its environment only, not in /state like CommandInfo's variables");

            assertEquals(202, scheduler.call("TEARDOWN", null, null).statusCode());
            HttpResponse<String> after = scheduler.call("REVIVE", null, null);
            assertEquals(400, after.statusCode());
            assertEquals("Framework cannot be found", after.body());
            assertTrue(Processes.noneWithin(marker, 5000), "the executor's processes are gone");
        } finally {
            mesos.close();
        }
        assertFalse(Files.exists(workDir), "close() deletes the temporary work directory");
    }

    private static JsonNode resource(JsonNode offer, String name) {
        for (JsonNode resource : offer.path("resources")) {
            if (resource.path("name").asText().equals(name)) {
                return resource;
            }
        }
        throw new AssertionError("No " + name + " in " + offer);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    static String read(LocalMesos mesos, String path) throws Exception {
        JsonNode answer = get(mesos.agentUri().resolve("/files/read?offset=0&length=65536&path="
                + URLEncoder.encode(path, StandardCharsets.UTF_8)));
        assertEquals(0, answer.path("offset").asInt());
        return answer.path("data").asText();
    }

    static JsonNode get(URI uri) throws Exception {
        return TestScheduler.JSON.readTree(getText(uri));
    }

    static String getText(URI uri) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), uri + ": " + response.body());
        return response.body();
    }

    private static String recordedAccept() throws Exception {
        try (InputStream in = Objects.requireNonNull(TranscriptExecutorRoundTripTest.class
                .getResourceAsStream("/mesos-transcripts/scheduler-launch.txt"))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> l.startsWith(">>> body ")).findFirst().orElseThrow().substring(9);
        }
    }
}
