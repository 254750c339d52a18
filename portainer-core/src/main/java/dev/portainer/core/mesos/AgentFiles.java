package dev.portainer.core.mesos;

import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Reads files of a Mesos agent's sandboxes through its {@code /files/read} endpoint. The agent serves it at the root
 * of its address ({@code http://host:5051/files/read}, the "files" process), not under the {@code /slave(1)} path an
 * offer's URL carries.
 */
public final class AgentFiles {
    /** The agent caps a read at 16 pages; asking for more is harmless. */
    public static final int MAX_READ = 64 * 1024;

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;
    /** The {@code Authorization} header's value, or null: none. */
    private final Secret authorization;

    /** A chunk of a file: its raw bytes, and the offset they start at (the file's size when asked for -1). */
    public record Chunk(byte[] data, long offset) {
    }

    /** @param base the agent's root, e.g. {@code http://127.0.0.1:5051} */
    public AgentFiles(HttpClient http, URI base, Duration timeout) {
        this(http, base, timeout, null);
    }

    /**
     * @param authorization the {@code Authorization} header for an agent started with
     *                      {@code --authenticate_http_readonly} (the framework's HTTP Basic credential), or null
     */
    public AgentFiles(HttpClient http, URI base, Duration timeout, Secret authorization) {
        this.http = Objects.requireNonNull(http, "http");
        this.base = Objects.requireNonNull(base, "base");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.authorization = authorization;
    }

    /** The root of the agent an offer's URL names, e.g. {@code http://127.0.0.1:5051/slave(1)} → port's root. */
    public static URI agentRoot(String scheme, String host, int port) {
        return URI.create(scheme + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
    }

    /**
     * The virtual path under which the agent serves an executor's latest run's sandbox, whatever its work directory:
     * {@code /frameworks/<framework>/executors/<executor>/runs/latest}.
     */
    public static String sandboxPath(String frameworkId, String executorId) {
        return "/frameworks/" + frameworkId + "/executors/" + executorId + "/runs/latest";
    }

    /**
     * Reads up to {@code length} bytes at {@code offset}; an empty chunk at or past the end of the file.
     *
     * @throws MesosHttpException the agent refused (404: no such file or sandbox; 401/403: authentication)
     */
    public Chunk read(String path, long offset, int length) throws IOException, InterruptedException {
        URI uri = base.resolve("/files/read?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + "&offset="
                + offset + "&length=" + length);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (authorization != null) {
            request.header("Authorization", authorization.reveal());
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new MesosHttpException("/files/read of " + path, uri, response.statusCode(),
                    new String(response.body(), StandardCharsets.UTF_8));
        }
        // The agent writes the file's bytes into the JSON string as they are (escaping only quotes, backslashes and
        // control characters), so a read that ends inside a UTF-8 character is not valid UTF-8. Reading the body as
        // ISO-8859-1 maps every byte to one char and back, whatever the file holds.
        Object json = Json.read(new String(response.body(), StandardCharsets.ISO_8859_1));
        if (!(json instanceof java.util.Map<?, ?> answer && answer.get("data") instanceof String data
                && answer.get("offset") instanceof Long at)) {
            throw new IOException("Unexpected /files/read answer from " + uri + ": " + json);
        }
        return new Chunk(data.getBytes(StandardCharsets.ISO_8859_1), at);
    }
}
