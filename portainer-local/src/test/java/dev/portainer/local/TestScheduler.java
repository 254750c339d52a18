package dev.portainer.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portainer.wire.mesos.RecordIo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A minimal JSON scheduler for tests: subscribes, collects events, posts calls. */
final class TestScheduler implements AutoCloseable {
    /** The user tasks run as: the embedded agent runs them as the JVM's own user only. */
    static final String USER = System.getProperty("user.name");

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI api;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private InputStream stream;
    private Thread reader;
    String streamId;
    String frameworkId;
    String agentId;

    TestScheduler(URI master) {
        this.api = master.resolve("/api/v1/scheduler");
    }

    /** Subscribes with the given framework_info JSON and waits for SUBSCRIBED. */
    TestScheduler subscribe(String frameworkInfo) throws Exception {
        JsonNode info = JSON.readTree(frameworkInfo);
        // Mesos wants the top-level framework_id to equal framework_info.id when re-subscribing.
        String id = info.has("id") ? ",\"framework_id\":" + info.get("id") : "";
        String body = "{\"type\":\"SUBSCRIBE\"" + id + ",\"subscribe\":{\"framework_info\":" + frameworkInfo + "}}";
        HttpRequest request = HttpRequest.newBuilder(api)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new AssertionError("SUBSCRIBE answered " + response.statusCode() + ": "
                    + new String(response.body().readAllBytes()));
        }
        streamId = response.headers().firstValue("Mesos-Stream-Id").orElseThrow();
        stream = response.body();
        reader = new Thread(() -> {
            try {
                byte[] record;
                while ((record = RecordIo.read(stream)) != null) {
                    events.add(JSON.readTree(record));
                }
            } catch (IOException e) {
                // The stream ended.
            }
        }, "test-scheduler-reader");
        reader.setDaemon(true);
        reader.start();
        JsonNode subscribed = next("SUBSCRIBED", 10);
        frameworkId = subscribed.at("/subscribed/framework_id/value").asText();
        return this;
    }

    /** The next event of {@code type}, skipping (but remembering) others. */
    JsonNode next(String type, int seconds) throws InterruptedException {
        return next(e -> e.path("type").asText().equals(type), seconds, type);
    }

    JsonNode next(Predicate<JsonNode> predicate, int seconds, String what) throws InterruptedException {
        for (JsonNode event : seen) {
            if (predicate.test(event)) {
                seen.remove(event);
                return event;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("No " + what + " event within " + seconds + "s; other events: " + seen);
            }
            if (predicate.test(event)) {
                return event;
            }
            seen.add(event);
        }
    }

    JsonNode nextUpdate(String taskId, String state, int seconds) throws InterruptedException {
        return next(e -> e.path("type").asText().equals("UPDATE")
                && e.at("/update/status/task_id/value").asText().equals(taskId)
                && e.at("/update/status/state").asText().equals(state), seconds, "UPDATE " + state);
    }

    /** Waits for an offer and returns it. */
    JsonNode offer(int seconds) throws InterruptedException {
        JsonNode offer = next("OFFERS", seconds).at("/offers/offers/0");
        agentId = offer.at("/agent_id/value").asText();
        return offer;
    }

    HttpResponse<String> call(String type, String field, String body) throws Exception {
        ObjectNode call = JSON.createObjectNode();
        call.put("type", type);
        call.putObject("framework_id").put("value", frameworkId);
        if (field != null) {
            call.set(field, JSON.readTree(body));
        }
        return post(call.toString(), streamId);
    }

    HttpResponse<String> post(String body, String streamIdHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(api)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (streamIdHeader != null) {
            request.header("Mesos-Stream-Id", streamIdHeader);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    void acknowledge(JsonNode update) throws Exception {
        JsonNode status = update.at("/update/status");
        HttpResponse<String> response = call("ACKNOWLEDGE", "acknowledge", "{\"agent_id\":" + status.get("agent_id")
                + ",\"task_id\":" + status.get("task_id") + ",\"uuid\":" + status.get("uuid") + "}");
        if (response.statusCode() != 202) {
            throw new AssertionError("ACKNOWLEDGE answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** Launches one task (0.1 cpus, 32 MB) with a CUSTOM executor running {@code command} (CommandInfo JSON). */
    HttpResponse<String> launch(JsonNode offer, String taskId, String executorId, String command) throws Exception {
        String accept = "{\"offer_ids\":[" + offer.get("id") + "],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":"
                + "{\"task_infos\":[{\"name\":\"t\",\"task_id\":{\"value\":\"" + taskId + "\"},\"agent_id\":"
                + offer.get("agent_id") + ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
                + "{\"value\":0.1}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32}}],"
                + "\"executor\":{\"type\":\"CUSTOM\",\"executor_id\":{\"value\":\"" + executorId + "\"},"
                + "\"command\":" + command + ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
                + "{\"value\":0.1}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32}}]}}]}}],"
                + "\"filters\":{\"refuse_seconds\":1}}";
        return call("ACCEPT", "accept", accept);
    }

    /** A bash executor: subscribes with curl, waits for its task, reports TASK_RUNNING, then runs {@code then}. */
    static String bashExecutor(String then) throws IOException {
        return "{\"value\":\"/bin/bash\",\"shell\":false,\"arguments\":[\"bash\",\"-c\","
                + JSON.writeValueAsString(bashExecutorScript(then)) + "]}";
    }

    /** {@link #bashExecutor}'s script, run in the sandbox with the executor's environment. */
    static String bashExecutorScript(String then) {
        return String.join("\n",
                "api=\"http://$MESOS_AGENT_ENDPOINT/api/v1/executor\"",
                // The agent authenticates executors like --authenticate_http_executors: its token on every call.
                "auth=\"Authorization: Bearer ${MESOS_EXECUTOR_AUTHENTICATION_TOKEN:-}\"",
                "ids='\"framework_id\":{\"value\":\"'$MESOS_FRAMEWORK_ID'\"},\"executor_id\":{\"value\":\"'$MESOS_EXECUTOR_ID'\"}'",
                "curl -sN -H \"$auth\" -H 'Content-Type: application/json' -H 'Accept: application/json' \\",
                "  -d '{\"type\":\"SUBSCRIBE\",'\"$ids\"',\"subscribe\":{}}' \"$api\" > events.txt &",
                "for i in $(seq 1 100); do grep -q LAUNCH events.txt 2>/dev/null && break; sleep 0.1; done",
                "task=$(grep -o '\"task_id\":{\"value\":\"[^\"]*\"}' events.txt | head -1)",
                "upd() {",
                "  u=$(cat /proc/sys/kernel/random/uuid | tr -d '\\n-' | sed 's/../\\\\x&/g'); u=$(printf \"$u\" | base64)",
                "  curl -s -H \"$auth\" -H 'Content-Type: application/json' \\",
                "    -d '{\"type\":\"UPDATE\",'\"$ids\"',\"update\":{\"status\":{'\"$task\"',\"state\":\"'$1'\",\"source\":\"SOURCE_EXECUTOR\",\"uuid\":\"'$u'\"}}}' \"$api\"",
                "}",
                "upd TASK_RUNNING",
                then, "");
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
        }
    }
}
