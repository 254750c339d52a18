package dev.portainer.core.build;

/**
 * The build failed because of its input (a failing RUN step, a bad Dockerfile or context); retrying will not help.
 * The message is Docker's own or says what to fix.
 */
public final class BuildFailedException extends Exception {
    public BuildFailedException(String message) {
        super(message);
    }

    public BuildFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
