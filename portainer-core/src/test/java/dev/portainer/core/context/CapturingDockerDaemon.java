package dev.portainer.core.context;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Just enough of a Docker daemon, on a Unix socket, for {@code docker build} to send it a build context: it answers
 * the CLI's ping, keeps the body of the build request (the context exactly as the CLI packed it) and fails the
 * build, so that tests can compare what the real Docker CLI sends with what Portainer packs.
 */
final class CapturingDockerDaemon implements Closeable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final AtomicReference<byte[]> context = new AtomicReference<>();
    private final AtomicReference<String> buildQuery = new AtomicReference<>();

    CapturingDockerDaemon(Path socket) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = new Thread(this::acceptLoop, "fake-dockerd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** What to put in {@code DOCKER_HOST}. */
    String dockerHost() {
        return "unix://" + socket;
    }

    /** The last build's request body (the uncompressed context tar), or null. */
    byte[] lastContext() {
        return context.get();
    }

    /** The last build's query string. */
    String lastQuery() {
        return buildQuery.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread t = new Thread(() -> serve(client), "fake-dockerd-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; InputStream in = Channels.newInputStream(client);
             OutputStream out = Channels.newOutputStream(client)) {
            while (true) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    int colon = h.indexOf(':');
                    headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
                }
                String[] parts = requestLine.split(" ");
                String method = parts[0];
                String target = parts[1];
                byte[] body = body(in, headers);
                if (target.contains("/build")) {
                    context.set(body);
                    buildQuery.set(target.contains("?") ? target.substring(target.indexOf('?') + 1) : "");
                    respond(out, method, "application/json",
                            "{\"errorDetail\":{\"message\":\"captured\"},\"error\":\"captured\"}\n");
                } else if (target.contains("_ping")) {
                    respond(out, method, "text/plain", "OK");
                } else if (target.contains("/version")) {
                    respond(out, method, "application/json", "{\"ApiVersion\":\"1.41\",\"Version\":\"20.10.24\","
                            + "\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\",\"Arch\":\"amd64\"}");
                } else {
                    respond(out, method, "application/json", "{\"message\":\"not here\"}");
                }
            }
        } catch (IOException e) {
            // the CLI hung up
        }
    }

    private static byte[] body(InputStream in, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("Transfer-Encoding", ""))) {
            while (true) {
                String sizeLine = line(in);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                        // trailers: none expected
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        body.write(in.readNBytes(length));
        return body.toByteArray();
    }

    private static void respond(OutputStream out, String method, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOstype: linux\r\nContent-Type: " + type
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (!method.toUpperCase(Locale.ROOT).equals("HEAD")) {
            out.write(bytes);
        }
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
