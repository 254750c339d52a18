package dev.portainer.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * A bash executor running on the embedded agent, and what it knows: its ids, its container and the token the agent
 * gave it (it writes it to {@code token.txt} in its sandbox, which only this machine's root and the agent's user can
 * read). For tests that call the executor API as that executor, or as someone else.
 */
record RunningExecutor(URI agent, String frameworkId, String executorId, String taskId, String containerId,
                       String token) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static RunningExecutor launch(LocalMesos mesos, TestScheduler scheduler, String executorId) throws Exception {
        String taskId = "task-" + executorId;
        JsonNode offer = scheduler.offer(20);
        scheduler.launch(offer, taskId, executorId, TestScheduler.bashExecutor(
                "printf %s \"${MESOS_EXECUTOR_AUTHENTICATION_TOKEN:-}\" > token.tmp && mv token.tmp token.txt;"
                        + " sleep 120"));
        scheduler.acknowledge(scheduler.nextUpdate(taskId, "TASK_RUNNING", 20));
        Path latest = mesos.workDir().resolve(Path.of("slaves", scheduler.agentId, "frameworks", scheduler.frameworkId,
                "executors", executorId, "runs", "latest"));
        Path token = latest.resolve("token.txt");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(token) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return new RunningExecutor(mesos.agentUri(), scheduler.frameworkId, executorId, taskId,
                latest.toRealPath().getFileName().toString(), Files.readString(token));
    }

    String ids(String executor) {
        return "\"framework_id\":{\"value\":\"" + frameworkId + "\"},\"executor_id\":{\"value\":\"" + executor + "\"}";
    }

    String subscribe(String executor) {
        return "{\"type\":\"SUBSCRIBE\"," + ids(executor) + ",\"subscribe\":{}}";
    }

    /** A terminal update an impostor would forge: TASK_FINISHED, with a valid uuid. */
    String finished(String executor, String task) {
        UUID uuid = UUID.randomUUID();
        byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
        return "{\"type\":\"UPDATE\"," + ids(executor) + ",\"update\":{\"status\":{\"task_id\":{\"value\":\"" + task
                + "\"},\"state\":\"TASK_FINISHED\",\"source\":\"SOURCE_EXECUTOR\",\"uuid\":\""
                + Base64.getEncoder().encodeToString(bytes) + "\"}}}";
    }

    String message(String executor, String text) {
        return "{\"type\":\"MESSAGE\"," + ids(executor) + ",\"message\":{\"data\":\""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"}}";
    }

    /** An answer of the executor API: status, WWW-Authenticate, Content-Type, and the body (a stream's first bytes). */
    record Answer(int status, String challenge, String contentType, String body) {
    }

    /** Posts a JSON call with the given Authorization header (null: none). */
    Answer post(String body, String authorization) throws Exception {
        return post(body, authorization, "application/json");
    }

    Answer post(String body, String authorization, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(agent.resolve("/api/v1/executor"))
                .header("Content-Type", contentType).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String text;
        try (InputStream in = response.body()) {
            // An accepted SUBSCRIBE stays open: its first event is enough.
            text = response.statusCode() == 200 ? new String(in.readNBytes(40), StandardCharsets.UTF_8)
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return new Answer(response.statusCode(), response.headers().firstValue("WWW-Authenticate").orElse(null),
                response.headers().firstValue("Content-Type").orElse(null), text);
    }
}
