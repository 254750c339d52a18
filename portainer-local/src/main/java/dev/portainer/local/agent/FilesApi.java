package dev.portainer.local.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portainer.local.http.QueryString;
import dev.portainer.local.http.Responses;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code /files/read}: pages of a sandbox file as {@code {"data": ..., "offset": ...}}, like the Mesos agent;
 * {@code offset=-1} (or none) answers the file's size. Only paths inside executor sandboxes are served.
 */
public final class FilesApi implements HttpHandler {
    /** Mesos caps a read at 16 pages. */
    private static final int MAX_LENGTH = 16 * 4096;

    private final Function<String, Path> resolve;
    private final Predicate<Path> readable;

    public FilesApi(Predicate<Path> readable) {
        this(Path::of, readable);
    }

    /** @param resolve maps a requested path, real or virtual, to the file */
    public FilesApi(Function<String, Path> resolve, Predicate<Path> readable) {
        this.resolve = resolve;
        this.readable = readable;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        Map<String, String> query = QueryString.parse(exchange.getRequestURI().getRawQuery());
        String path = query.get("path");
        if (path == null) {
            Responses.text(exchange, 400, "Expecting 'path=value' in query.\n");
            return;
        }
        long offset = -1;
        if (query.containsKey("offset")) {
            try {
                offset = Long.parseLong(query.get("offset"));
            } catch (NumberFormatException e) {
                Responses.text(exchange, 400, "Failed to parse offset: Failed to convert '" + query.get("offset")
                        + "' to number.\n");
                return;
            }
        }
        long length = MAX_LENGTH;
        if (query.containsKey("length")) {
            try {
                long requested = Long.parseLong(query.get("length"));
                if (requested < -1) {
                    Responses.text(exchange, 400, "Negative length provided: " + requested + ".\n");
                    return;
                }
                if (requested > -1) {
                    length = Math.min(requested, MAX_LENGTH);
                }
            } catch (NumberFormatException e) {
                Responses.text(exchange, 400, "Failed to parse length: Failed to convert '" + query.get("length")
                        + "' to number.\n");
                return;
            }
        }
        if (offset < -1) {
            Responses.text(exchange, 400, "Negative offset provided: " + offset + ".\n");
            return;
        }
        Path file = resolve.apply(path).normalize();
        if (!file.isAbsolute() || !Files.exists(file) || !readable.test(file)) {
            Responses.text(exchange, 404, "");
            return;
        }
        if (Files.isDirectory(file)) {
            Responses.text(exchange, 400, "Cannot read a directory.\n");
            return;
        }
        byte[] data;
        long size;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            size = in.length();
            if (offset == -1 || offset >= size) {
                data = new byte[0];
                offset = size;
            } else {
                data = new byte[(int) Math.min(length, size - offset)];
                in.seek(offset);
                in.readFully(data);
            }
        }
        byte[] body = json(data, offset);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * {@code {"data":…,"offset":…}} as the agent writes it: the file's bytes go into the string as they are (a read
     * may end inside a UTF-8 character), only quotes, backslashes and control characters escaped.
     */
    static byte[] json(byte[] data, long offset) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length + 32);
        out.writeBytes("{\"data\":\"".getBytes(StandardCharsets.US_ASCII));
        for (byte b : data) {
            int c = b & 0xff;
            String escape = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> c < 0x20 ? String.format("\\u%04X", c) : null;
            };
            if (escape == null) {
                out.write(c);
            } else {
                out.writeBytes(escape.getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.writeBytes(("\",\"offset\":" + offset + "}").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
