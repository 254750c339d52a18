package dev.portainer.executor.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.ResponseItem;
import java.io.IOException;

/** Extracts the daemon's own words from docker-java's failures, which wrap them as {@code Status 500: {"message":…}}. */
final class DockerErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerErrors() {
    }

    /** The error an item of a build or push stream carries, or null. */
    static String of(ResponseItem item) {
        if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
            return item.getErrorDetail().getMessage().strip();
        }
        return item.getError() == null ? null : item.getError().strip();
    }

    static String describe(Throwable e) {
        if (e instanceof DockerException docker) {
            String text = docker.getMessage() == null ? "" : docker.getMessage();
            int brace = text.indexOf('{');
            if (brace >= 0) {
                try {
                    JsonNode body = JSON.readTree(text.substring(brace));
                    if (body.hasNonNull("message")) {
                        return body.get("message").asText().strip();
                    }
                } catch (IOException notJson) {
                    // fall through to the raw text
                }
            }
            return text.strip();
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
