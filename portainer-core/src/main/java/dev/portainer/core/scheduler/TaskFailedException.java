package dev.portainer.core.scheduler;

/**
 * The build task ended without a build result: the executor could not be fetched or started, died, was killed or the
 * agent was lost. Carries the fields of the terminal status update that explain it.
 */
public final class TaskFailedException extends ClusterException {
    private final String state;
    private final String reason;
    private final String source;
    private final String statusMessage;

    public TaskFailedException(String taskName, String agentHost, String state, String reason, String source,
                               String statusMessage) {
        super("The cluster failed to run the build of " + taskName + (agentHost == null ? "" : " on " + agentHost)
                + ": " + state + (reason == null ? "" : " (" + reason + ")") + (source == null ? "" : " from " + source)
                + (statusMessage == null || statusMessage.isBlank() ? "" : ": " + statusMessage.strip()));
        this.state = state;
        this.reason = reason;
        this.source = source;
        this.statusMessage = statusMessage;
    }

    /** The terminal task state, e.g. {@code TASK_FAILED}. */
    public String state() {
        return state;
    }

    /** The status update's reason, e.g. {@code REASON_EXECUTOR_TERMINATED}, or null. */
    public String reason() {
        return reason;
    }

    /** Who reported it: {@code SOURCE_MASTER}, {@code SOURCE_AGENT} or {@code SOURCE_EXECUTOR}, or null. */
    public String source() {
        return source;
    }

    /** The status update's human-readable message, or null. */
    public String statusMessage() {
        return statusMessage;
    }
}
