package dev.portainer.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Replays the error cases recorded from a real Mesos master and expects the same statuses and bodies. */
class SchedulerErrorsTranscriptTest {
    private static final String RECORDED_FRAMEWORK = "68d1f885-47da-489f-963e-6b5c37214d2d-0000";
    private static final String RECORDED_STREAM = "fed59956-d606-47d5-b766-39e746d12461";

    /** One recorded exchange. */
    record Exchange(Map<String, String> headers, String body, int status, String responseBody) {
    }

    private LocalMesos mesos;

    @BeforeEach
    void start() {
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048).diskMb(1024).build());
    }

    @AfterEach
    void stop() {
        mesos.close();
    }

    @Test
    void answersEveryRecordedErrorLikeTheRealMaster() throws Exception {
        List<Exchange> exchanges = load();
        assertEquals(7, exchanges.size(), "the transcript's error cases");
        TestScheduler scheduler = new TestScheduler(mesos.masterUri()).subscribe(
                "{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"t\"}");
        HttpClient http = HttpClient.newHttpClient();
        // The last case was recorded after the framework's TEARDOWN.
        for (int i = 0; i < exchanges.size(); i++) {
            if (i == exchanges.size() - 1) {
                assertEquals(202, scheduler.call("TEARDOWN", null, null).statusCode());
            }
            Exchange exchange = exchanges.get(i);
            HttpRequest.Builder request = HttpRequest.newBuilder(mesos.masterUri().resolve("/api/v1/scheduler"))
                    .POST(HttpRequest.BodyPublishers.ofString(substitute(exchange.body(), scheduler)));
            exchange.headers().forEach((name, value) -> request.header(name, substitute(value, scheduler)));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(exchange.status(), response.statusCode(), "status of " + exchange.body());
            assertEquals(substitute(exchange.responseBody(), scheduler), response.body(), "body of " + exchange.body());
            assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElse(null));
        }
        scheduler.close();
    }

    @Test
    void refusesStreamsInNoAcceptableEncoding() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(mesos.masterUri().resolve("/api/v1/scheduler"))
                        .header("Content-Type", "application/json").header("Accept", "text/html")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(406, response.statusCode());
        assertEquals("Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'", response.body());
    }

    @Test
    void refusesAcknowledgementsWhoseUuidIsNotAUuid() throws Exception {
        TestScheduler scheduler = new TestScheduler(mesos.masterUri()).subscribe("{\"user\":\"u\",\"name\":\"n\"}");
        HttpResponse<String> response = scheduler.call("ACKNOWLEDGE", "acknowledge",
                "{\"agent_id\":{\"value\":\"a\"},\"task_id\":{\"value\":\"t\"},\"uuid\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");
        assertEquals(400, response.statusCode());
        assertEquals("Failed to validate scheduler::Call: Not a valid UUID", response.body());
        scheduler.close();
    }

    private static String substitute(String text, TestScheduler scheduler) {
        return text.replace(RECORDED_FRAMEWORK, scheduler.frameworkId).replace(RECORDED_STREAM, scheduler.streamId);
    }

    private static List<Exchange> load() throws IOException {
        String text;
        try (InputStream in = Objects.requireNonNull(SchedulerErrorsTranscriptTest.class
                .getResourceAsStream("/mesos-transcripts/scheduler-errors.txt"))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Exchange> exchanges = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            Map<String, String> headers = Map.of();
            String body = null;
            int status = 0;
            String responseBody = "";
            for (String line : block.split("\n")) {
                if (line.startsWith(">>> headers ")) {
                    headers = headers(line.substring(12));
                } else if (line.startsWith(">>> body ")) {
                    body = line.substring(9);
                } else if (line.startsWith("<<< body ")) {
                    responseBody = line.substring(9);
                } else if (line.startsWith("<<< ") && Character.isDigit(line.charAt(4))) {
                    status = Integer.parseInt(line.substring(4, 7));
                }
            }
            if (body != null) {
                exchanges.add(new Exchange(headers, body, status, responseBody));
            }
        }
        return exchanges;
    }

    private static Map<String, String> headers(String json) throws IOException {
        JsonNode node = TestScheduler.JSON.readTree(json);
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            headers.put(entry.getKey(), entry.getValue().asText());
        }
        return headers;
    }
}
