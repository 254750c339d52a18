package dev.portainer.core.staging;

/** Staging a file for the agents failed; the message says where and what to check. */
public final class StagingException extends Exception {
    public StagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
