package dev.portainer.executor.agent;

import java.io.IOException;

/** The agent answered a call with an unexpected HTTP status; the message carries the agent's own (plain-text) reason. */
public final class AgentCallException extends IOException {
    private final int statusCode;

    public AgentCallException(String call, int statusCode, String body) {
        super("The agent refused " + call + " with HTTP " + statusCode
                + (body == null || body.isBlank() ? "" : ": " + body.strip()));
        this.statusCode = statusCode;
    }

    public int statusCode() {
        return statusCode;
    }

    /** A 4xx answer: the call itself is wrong (unknown executor, invalid update), so repeating it cannot help. */
    public boolean isClientError() {
        return statusCode >= 400 && statusCode < 500;
    }
}
