package dev.portainer.core.context;

import dev.portainer.core.config.Explained;
import dev.portainer.core.config.Message;

/**
 * The build context cannot be packed because of something the user can fix (missing or misplaced Dockerfile,
 * bad .dockerignore, unreadable file); the message says what is wrong and what to do.
 */
public class ContextException extends Exception implements Explained {
    private static final long serialVersionUID = 1L;

    private final transient Message explanation;

    public ContextException(String message) {
        this(Message.of(message));
    }

    public ContextException(String message, Throwable cause) {
        this(Message.of(message), cause);
    }

    public ContextException(Message explanation) {
        super(explanation.toString());
        this.explanation = explanation;
    }

    public ContextException(Message explanation, Throwable cause) {
        super(explanation.toString(), cause);
        this.explanation = explanation;
    }

    @Override
    public Message explanation() {
        return explanation;
    }
}
