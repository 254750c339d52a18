package dev.portainer.local.http;

import com.sun.net.httpserver.Headers;
import dev.portainer.wire.mesos.MesosMediaTypes;

import java.util.Locale;
import java.util.Optional;

/** The two encodings of Mesos's v1 HTTP APIs, and the rules by which a request chooses one. */
public enum MediaType {
    JSON(MesosMediaTypes.JSON),
    PROTOBUF(MesosMediaTypes.PROTOBUF);

    private final String value;

    MediaType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /**
     * The request body's encoding, as Mesos reads it: the Content-Type must be exactly one of the two (Mesos
     * compares the whole header, so "application/json; charset=utf-8" is refused with 415 there, and here).
     */
    public static Optional<MediaType> ofContentType(Headers headers) {
        String contentType = headers.getFirst("Content-Type");
        if (contentType == null) {
            return Optional.empty();
        }
        for (MediaType type : values()) {
            if (type.value.equals(contentType)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /**
     * The stream's encoding. Like Mesos, JSON wins when both are acceptable (and when no Accept is given, since
     * an absent header accepts everything); empty when neither is acceptable.
     */
    public static Optional<MediaType> ofAccept(Headers headers) {
        var accepts = headers.get("Accept");
        if (accepts == null || accepts.isEmpty()) {
            return Optional.of(JSON);
        }
        boolean json = false;
        boolean protobuf = false;
        for (String header : accepts) {
            for (String range : header.split(",")) {
                String[] parts = range.split(";");
                String type = parts[0].trim().toLowerCase(Locale.ROOT);
                if (isZeroQuality(parts)) {
                    continue;
                }
                json |= type.equals("*/*") || type.equals("application/*") || type.equals(JSON.value);
                protobuf |= type.equals("*/*") || type.equals("application/*") || type.equals(PROTOBUF.value);
            }
        }
        if (json) {
            return Optional.of(JSON);
        }
        return protobuf ? Optional.of(PROTOBUF) : Optional.empty();
    }

    private static boolean isZeroQuality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.startsWith("q=")) {
                try {
                    return Double.parseDouble(parameter.substring(2)) == 0.0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }
}
