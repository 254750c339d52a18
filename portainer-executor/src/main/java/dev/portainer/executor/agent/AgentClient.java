package dev.portainer.executor.agent;

import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.mesos.MesosMediaTypes;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.mesos.v1.executor.Protos.Call;

/**
 * The agent's v1 executor API ({@code /api/v1/executor}) in protobuf: the SUBSCRIBE event stream and the one-shot
 * calls (UPDATE, MESSAGE). Stateless and thread-safe; the event loop decides what to call and when.
 *
 * <p>On the JDK's {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: the executor starts on every build,
 * and the first request of a new {@code HttpClient} costs ~0.17 s of class loading and TLS set-up (measured: 188 ms
 * against 20 ms for a first POST on a cold JVM), all of it before the executor can subscribe. The agent speaks plain
 * HTTP/1.1 (HTTPS with {@code LIBPROCESS_SSL_ENABLED}), which is all this client needs; connections are kept alive
 * and reused by the JDK.
 */
public final class AgentClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final URL endpoint;
    /** {@code Authorization: Bearer …}, or null when the agent gave no token. */
    private final Secret authorization;

    /** A client that sends no token, for an agent that does not authenticate executors. */
    public AgentClient(String agentEndpoint, boolean tls) {
        this(agentEndpoint, tls, null);
    }

    /**
     * @param agentEndpoint       {@code host:port}, as in {@code MESOS_AGENT_ENDPOINT}
     * @param tls                 whether the agent serves HTTPS ({@code LIBPROCESS_SSL_ENABLED})
     * @param authenticationToken the token the agent started us with ({@code MESOS_EXECUTOR_AUTHENTICATION_TOKEN}),
     *                            sent on every call as an agent with {@code --authenticate_http_executors} requires;
     *                            null for none
     */
    public AgentClient(String agentEndpoint, boolean tls, Secret authenticationToken) {
        this.authorization = authenticationToken == null ? null
                : Secret.of("Bearer " + authenticationToken.reveal());
        try {
            this.endpoint = URI.create((tls ? "https://" : "http://") + agentEndpoint + "/api/v1/executor").toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException("not host:port: " + agentEndpoint, e);
        }
    }

    public URI endpoint() {
        return URI.create(endpoint.toString());
    }

    /**
     * Sends SUBSCRIBE and returns the open RecordIO event stream (the executor API sends no {@code Mesos-Stream-Id}).
     * Closing the stream drops the subscription: it disconnects, even while another thread is blocked reading it.
     *
     * @throws AgentCallException when the agent answers anything but 200
     */
    public InputStream subscribe(Call subscribe) throws IOException {
        // No read timeout: the response is meant to stay open for the executor's whole life.
        HttpURLConnection connection = post(subscribe, Duration.ZERO);
        int status = connection.getResponseCode();
        if (status != 200) {
            String body = errorBody(connection);
            connection.disconnect();
            throw new AgentCallException("SUBSCRIBE", status, body);
        }
        return new FilterInputStream(connection.getInputStream()) {
            private volatile boolean closed;

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                // The JDK's chunked stream closes under the same lock its blocking read holds, so the close of a
                // stream another thread is reading would wait for the agent's next byte; a throw-away thread takes
                // that wait instead of the caller (the generation counter already ignores what the old stream says).
                Thread closer = new Thread(connection::disconnect, "agent-stream-close");
                closer.setDaemon(true);
                closer.start();
            }
        };
    }

    /**
     * Sends a call that the agent answers with 202 Accepted.
     *
     * @throws AgentCallException when the agent answers anything else; its plain-text reason is in the message
     */
    public void call(Call call) throws IOException {
        HttpURLConnection connection = post(call, CALL_TIMEOUT);
        int status = connection.getResponseCode();
        if (status != 202) {
            throw new AgentCallException(call.getType().name(), status, errorBody(connection));
        }
        // Read to the end so that the connection goes back to the keep-alive cache.
        try (InputStream in = connection.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private HttpURLConnection post(Call call, Duration readTimeout) throws IOException {
        byte[] body = call.toByteArray();
        HttpURLConnection connection = (HttpURLConnection) endpoint.openConnection(Proxy.NO_PROXY);
        connection.setRequestMethod("POST");
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) readTimeout.toMillis());
        connection.setUseCaches(false);
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", MesosMediaTypes.PROTOBUF);
        connection.setRequestProperty("Accept", MesosMediaTypes.PROTOBUF);
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization.reveal());
        }
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        return connection;
    }

    /** The agent's plain-text reason for refusing a call (at most 4 KB), or the empty string. */
    private static String errorBody(HttpURLConnection connection) {
        try (InputStream in = connection.getErrorStream() != null ? connection.getErrorStream()
                : connection.getInputStream()) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
