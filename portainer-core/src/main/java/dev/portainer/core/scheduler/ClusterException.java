package dev.portainer.core.scheduler;

import dev.portainer.core.config.Explained;
import dev.portainer.core.config.Message;

/**
 * The Mesos cluster (or the way to it) failed the build: master unreachable or refusing a call, no fitting offer,
 * executor lost or killed. Not the build's fault; a retry may succeed.
 */
public non-sealed class ClusterException extends BuildException implements Explained {
    private final transient Message explanation;

    public ClusterException(String message) {
        this(Message.of(message), null);
    }

    public ClusterException(String message, Throwable cause) {
        this(Message.of(message), cause);
    }

    public ClusterException(Message explanation, Throwable cause) {
        super(explanation.toString(), cause);
        this.explanation = explanation;
    }

    @Override
    public Message explanation() {
        return explanation;
    }
}
