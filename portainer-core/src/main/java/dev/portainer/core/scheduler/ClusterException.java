package dev.portainer.core.scheduler;

/**
 * The Mesos cluster (or the way to it) failed the build: master unreachable or refusing a call, no fitting offer,
 * executor lost or killed. Not the build's fault; a retry may succeed.
 */
public non-sealed class ClusterException extends BuildException {
    public ClusterException(String message) {
        super(message, null);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
