package dev.portainer.core.scheduler;

import dev.portainer.wire.TaskResult;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.TaskStatus.Reason;

/**
 * Decides how an attempt of a build task that has ended (its log complete) ends the task: built, failed, or to be
 * run again because the cluster failed it. A pure function of what is known of the attempt; the run's loop acts on it.
 */
final class TaskEnd {
    /** Ends that say the task, its executor or its agent went away; TASK_ERROR (invalid task) and TASK_KILLED not. */
    private static final Set<TaskState> CLUSTER_STATES = EnumSet.of(TaskState.TASK_FAILED, TaskState.TASK_LOST,
            TaskState.TASK_DROPPED, TaskState.TASK_GONE, TaskState.TASK_GONE_BY_OPERATOR, TaskState.TASK_UNREACHABLE,
            TaskState.TASK_UNKNOWN);

    /**
     * Reasons that blame the executor's process or the agent, not the build. Once the build runs, only these are
     * retried: the Docker build itself runs in the Docker daemon, so an executor that dies mid-build did not die of
     * the Dockerfile, and a build that failed reports Docker's error in its result, which is never retried.
     */
    private static final Set<Reason> CLUSTER_REASONS = EnumSet.of(Reason.REASON_EXECUTOR_TERMINATED,
            Reason.REASON_EXECUTOR_UNREGISTERED, Reason.REASON_EXECUTOR_REGISTRATION_TIMEOUT,
            Reason.REASON_EXECUTOR_REREGISTRATION_TIMEOUT, Reason.REASON_CONTAINER_LAUNCH_FAILED,
            Reason.REASON_AGENT_DISCONNECTED, Reason.REASON_AGENT_REMOVED, Reason.REASON_AGENT_REMOVED_BY_OPERATOR,
            Reason.REASON_AGENT_RESTARTED, Reason.REASON_AGENT_UNKNOWN, Reason.REASON_INVALID_OFFERS,
            Reason.REASON_MASTER_DISCONNECTED, Reason.REASON_RESOURCES_UNKNOWN, Reason.REASON_GC_ERROR);

    private TaskEnd() {
    }

    /**
     * What is known of an attempt once its task has ended.
     *
     * @param task            the build task
     * @param number          the attempt's number, 1 for the first
     * @param taskId          its Mesos task id
     * @param agentHostname   the agent it ran on
     * @param status          the terminal status update
     * @param result          the executor's report, or null when none came
     * @param killedFor       why the run was killing the task when it ended, or null when it was not
     * @param reachedRunning  whether the task was ever TASK_RUNNING
     * @param pushing         whether the executor said (in a running update) that it was about to push
     * @param earlierFailures what went wrong in the earlier attempts, oldest first
     */
    record Facts(BuildTask task, int number, String taskId, String agentHostname, TaskStatus status,
                 TaskResult result, ClusterException killedFor, boolean reachedRunning, boolean pushing,
                 List<String> earlierFailures) {
        Facts {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(status, "status");
            earlierFailures = List.copyOf(earlierFailures);
        }
    }

    /** What the run does with the task: {@link Built}, {@link Failed} or {@link Retry}. */
    sealed interface Verdict {
    }

    /** The image was built (and pushed when asked); {@code result} is the executor's report. */
    record Built(TaskResult result) implements Verdict {
    }

    /** The task failed for good. */
    record Failed(BuildException failure) implements Verdict {
    }

    /** The cluster failed this attempt, and a retry is left: run the build again as a new task. */
    record Retry(TaskFailedException failure) implements Verdict {
    }

    /** The status message, with what the sandbox adds to it; read only for a task that ended without a result. */
    @FunctionalInterface
    interface Explanation {
        String read() throws InterruptedException;
    }

    /**
     * How the ended attempt ends the task.
     *
     * @param retries     how many times the run may run a task again after the cluster failed it
     * @param failingFast whether the run is stopping its tasks because another one failed (then none is retried)
     * @param explanation the status message, read once the task is known to have failed without a result
     */
    static Verdict decide(Facts facts, int retries, boolean failingFast, Explanation explanation)
            throws InterruptedException {
        TaskStatus status = facts.status();
        TaskResult result = facts.result();
        String name = facts.task().name();
        if (facts.killedFor() != null && status.getState() != TaskState.TASK_FINISHED) {
            return new Failed(facts.killedFor());
        }
        if (result != null && result.failed()) {
            return new Failed(new BuildFailedException(name, result));
        }
        if (status.getState() == TaskState.TASK_FINISHED) {
            if (result == null) {
                return new Failed(new ClusterException("The build task " + facts.taskId() + " finished without "
                        + "reporting a result; is the executor the same Portainer version as the plugin?"));
            }
            return new Built(result);
        }
        String message = explanation.read();
        String state = status.getState().name();
        String reason = status.hasReason() ? status.getReason().name() : null;
        String source = status.hasSource() ? status.getSource().name() : null;
        TaskFailedException failure = new TaskFailedException(name, facts.agentHostname(), state, reason, source,
                message, facts.earlierFailures());
        // A task being killed ended as asked, and while the run fails fast nothing is run again.
        boolean mayRetry = facts.killedFor() == null && !failingFast;
        if (mayRetry && facts.pushing() && retryable(status, result, facts.reachedRunning(), false)) {
            // The executor may have died after the push, or the terminal update may have been lost on the way:
            // either way the image may be in the registry, and a second build could push other contents under the
            // same tags. Say so rather than build again.
            return new Failed(new TaskFailedException(name, facts.agentHostname(), state, reason, source, message,
                    facts.earlierFailures(), 0, "The executor had started pushing " + facts.task().spec().image()
                    + ", so the build is not run again (a second build could push a different image under the same "
                    + "tags); check what the registry holds for its tags " + facts.task().spec().tags()
                    + ", then build again"));
        }
        if (mayRetry && retryable(status, result, facts.reachedRunning(), facts.pushing())) {
            if (facts.number() <= retries) {
                return new Retry(failure);
            }
            if (retries > 0) {
                return new Failed(new TaskFailedException(name, facts.agentHostname(), state, reason, source, message,
                        facts.earlierFailures(), facts.number()));
            }
        }
        return new Failed(failure);
    }

    /**
     * Whether a relaunch may succeed, and is safe: the executor reported no result (a build error is the user's to
     * fix), it had not said it was about to push (a second build would push again, maybe other contents under the
     * same tags), the state blames the cluster, and either the task never reached TASK_RUNNING or the reason blames
     * the executor's process or the agent.
     *
     * @param pushing whether the executor said (in a running update) that it was about to push
     */
    static boolean retryable(TaskStatus status, TaskResult result, boolean reachedRunning, boolean pushing) {
        if (result != null || pushing || !CLUSTER_STATES.contains(status.getState())) {
            return false;
        }
        return !reachedRunning || status.hasReason() && CLUSTER_REASONS.contains(status.getReason());
    }
}
