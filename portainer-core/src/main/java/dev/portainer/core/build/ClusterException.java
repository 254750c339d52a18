package dev.portainer.core.build;

/**
 * The build could not run because of the system around it (master unreachable, no offer, staging or agent
 * failure); the message says what happened and what to check.
 */
public final class ClusterException extends Exception {
    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
