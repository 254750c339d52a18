package dev.portainer.executor.agent;

import dev.portainer.core.mesos.MesosMediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.mesos.v1.executor.Protos.Call;

/**
 * The agent's v1 executor API ({@code /api/v1/executor}) in protobuf: the SUBSCRIBE event stream and the one-shot
 * calls (UPDATE, MESSAGE). Stateless and thread-safe; the event loop decides what to call and when.
 */
public final class AgentClient {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI endpoint;

    /**
     * @param http          an HTTP/1.1 client (libprocess does not speak HTTP/2)
     * @param agentEndpoint {@code host:port}, as in {@code MESOS_AGENT_ENDPOINT}
     * @param tls           whether the agent serves HTTPS ({@code LIBPROCESS_SSL_ENABLED})
     */
    public AgentClient(HttpClient http, String agentEndpoint, boolean tls) {
        this.http = http;
        this.endpoint = URI.create((tls ? "https://" : "http://") + agentEndpoint + "/api/v1/executor");
    }

    /** The client an executor should use: HTTP/1.1 and a bounded connect time, so a dead agent shows up as an error. */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * Sends SUBSCRIBE and returns the open RecordIO event stream (the executor API sends no {@code Mesos-Stream-Id}).
     * Closing the stream drops the subscription.
     *
     * @throws AgentCallException when the agent answers anything but 200
     */
    public InputStream subscribe(Call subscribe) throws IOException, InterruptedException {
        // No request timeout: the response is meant to stay open for the executor's whole life.
        HttpRequest request = request(subscribe).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            }
            throw new AgentCallException("SUBSCRIBE", response.statusCode(), body);
        }
        return response.body();
    }

    /**
     * Sends a call that the agent answers with 202 Accepted.
     *
     * @throws AgentCallException when the agent answers anything else; its plain-text reason is in the message
     */
    public void call(Call call) throws IOException, InterruptedException {
        HttpRequest request = request(call).timeout(CALL_TIMEOUT).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new AgentCallException(call.getType().name(), response.statusCode(), response.body());
        }
    }

    private HttpRequest.Builder request(Call call) {
        return HttpRequest.newBuilder(endpoint)
                .header("Content-Type", MesosMediaTypes.PROTOBUF)
                .header("Accept", MesosMediaTypes.PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(call.toByteArray()));
    }
}
