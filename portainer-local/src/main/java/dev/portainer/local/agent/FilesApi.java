package dev.portainer.local.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portainer.local.http.ProtoCodec;
import dev.portainer.local.http.Responses;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code /files/read}: pages of a sandbox file as {@code {"data": ..., "offset": ...}}, like the Mesos agent;
 * {@code offset=-1} (or none) answers the file's size. Only paths inside executor sandboxes are served.
 */
public final class FilesApi implements HttpHandler {
    /** Mesos caps a read at 16 pages. */
    private static final int MAX_LENGTH = 16 * 4096;

    private final Predicate<Path> readable;

    public FilesApi(Predicate<Path> readable) {
        this.readable = readable;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
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
        Path file = Path.of(path).normalize();
        if (!file.isAbsolute() || !Files.exists(file) || !readable.test(file)) {
            Responses.text(exchange, 404, "");
            return;
        }
        if (Files.isDirectory(file)) {
            Responses.text(exchange, 400, "Cannot read a directory.\n");
            return;
        }
        String data;
        long size;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            size = in.length();
            if (offset == -1 || offset >= size) {
                data = "";
                offset = size;
            } else {
                byte[] buffer = new byte[(int) Math.min(length, size - offset)];
                in.seek(offset);
                in.readFully(buffer);
                data = new String(buffer, StandardCharsets.UTF_8);
            }
        }
        ObjectNode json = ProtoCodec.mapper().createObjectNode();
        json.put("data", data);
        json.put("offset", offset);
        Responses.json(exchange, 200, json.toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(key, value);
        }
        return query;
    }
}
