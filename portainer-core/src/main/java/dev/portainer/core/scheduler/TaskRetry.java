package dev.portainer.core.scheduler;

import dev.portainer.wire.TaskResult;
import java.util.EnumSet;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.TaskStatus.Reason;

/** Decides whether a build task that ended without a result failed because of the cluster, so a relaunch may help. */
final class TaskRetry {
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

    private TaskRetry() {
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
