package dev.portainer.core.context;

/**
 * The build context cannot be packed because of something the user can fix (missing or misplaced Dockerfile,
 * bad .dockerignore, unreadable file); the message says what is wrong and what to do.
 */
public class ContextException extends Exception {
    private static final long serialVersionUID = 1L;

    public ContextException(String message) {
        super(message);
    }

    public ContextException(String message, Throwable cause) {
        super(message, cause);
    }
}
