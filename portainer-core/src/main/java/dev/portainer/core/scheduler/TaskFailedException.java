package dev.portainer.core.scheduler;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

/**
 * The build task ended without a build result: the executor could not be fetched or started, died, was killed or the
 * agent was lost. Carries the fields of the terminal status update that explain it.
 */
public final class TaskFailedException extends ClusterException {
    private final String state;
    private final String reason;
    private final String source;
    private final String statusMessage;

    private final java.util.List<String> earlierAttempts;

    public TaskFailedException(String taskName, String agentHost, String state, String reason, String source,
                               String statusMessage) {
        this(taskName, agentHost, state, reason, source, statusMessage, java.util.List.of());
    }

    /** With what went wrong in earlier attempts, when the task was retried. */
    public TaskFailedException(String taskName, String agentHost, String state, String reason, String source,
                               String statusMessage, java.util.List<String> earlierAttempts) {
        this(taskName, agentHost, state, reason, source, statusMessage, earlierAttempts, 0);
    }

    /** The last of {@code attempts} attempts failed; retries are used up. */
    public TaskFailedException(String taskName, String agentHost, String state, String reason, String source,
                               String statusMessage, java.util.List<String> earlierAttempts, int attempts) {
        this(taskName, agentHost, state, reason, source, statusMessage, earlierAttempts, attempts, null);
    }

    /** @param why why it was not retried and what to do instead, or null */
    public TaskFailedException(String taskName, String agentHost, String state, String reason, String source,
                               String statusMessage, java.util.List<String> earlierAttempts, int attempts,
                               String why) {
        super(explain(taskName, agentHost, summary(state, reason, source, statusMessage), earlierAttempts, attempts,
                why), null);
        this.earlierAttempts = java.util.List.copyOf(earlierAttempts);
        this.state = state;
        this.reason = reason;
        this.source = source;
        this.statusMessage = statusMessage;
    }

    private static Message explain(String taskName, String agentHost, String summary, java.util.List<String> earlier,
                                   int attempts, String why) {
        Message message = Message.of("The cluster failed to run the build of ", taskName,
                agentHost == null ? "" : " on " + agentHost, ": ", summary);
        if (why != null) {
            message = message.append(". ", why);
        }
        if (attempts == 0) {
            return message;
        }
        return message.append(" (attempt ", attempts, " of ", attempts, ", retries used up",
                earlier.isEmpty() ? "" : "; earlier: " + String.join("; ", earlier), "). Raise ", Setting.RETRIES,
                " or check the agents' logs");
    }

    private static String summary(String state, String reason, String source, String statusMessage) {
        return state + (reason == null ? "" : " (" + reason + ")") + (source == null ? "" : " from " + source)
                + (statusMessage == null || statusMessage.isBlank() ? "" : ": " + statusMessage.strip());
    }

    /** State, reason, source and message in one line, without the task's name. */
    public String summary() {
        return summary(state, reason, source, statusMessage);
    }

    /** What went wrong in the attempts before this one (empty unless the task was retried). */
    public java.util.List<String> earlierAttempts() {
        return earlierAttempts;
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
