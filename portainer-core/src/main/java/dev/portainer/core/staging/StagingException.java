package dev.portainer.core.staging;

import dev.portainer.core.config.Explained;
import dev.portainer.core.config.Message;

/** Staging a file for the agents failed; the message says where and what to check. */
public final class StagingException extends Exception implements Explained {
    private static final long serialVersionUID = 1L;

    private final transient Message explanation;

    public StagingException(String message, Throwable cause) {
        this(Message.of(message), cause);
    }

    public StagingException(Message explanation, Throwable cause) {
        super(explanation.toString(), cause);
        this.explanation = explanation;
    }

    @Override
    public Message explanation() {
        return explanation;
    }
}
