package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portainer.core.mesos.MesosProtobuf;
import dev.portainer.wire.TaskResult;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.TaskStatus.Reason;
import org.junit.jupiter.api.Test;

class TaskRetryTest {
    static {
        MesosProtobuf.acceptPre22Gencode();
    }

    private static TaskStatus status(TaskState state, Reason reason) {
        TaskStatus.Builder status = TaskStatus.newBuilder().setTaskId(TaskID.newBuilder().setValue("t"))
                .setState(state);
        return reason == null ? status.build() : status.setReason(reason).build();
    }

    @Test
    void theClusterFailingTheTaskBeforeItRanIsRetriedWhateverTheReason() {
        for (TaskState state : new TaskState[] {TaskState.TASK_FAILED, TaskState.TASK_LOST, TaskState.TASK_DROPPED,
                TaskState.TASK_GONE, TaskState.TASK_GONE_BY_OPERATOR, TaskState.TASK_UNREACHABLE}) {
            assertEquals(true, TaskRetry.retryable(status(state, null), null, false, false), state.name());
        }
    }

    @Test
    void afterTaskRunningOnlyAnExecutorOrAgentReasonIsRetried() {
        assertEquals(true, TaskRetry.retryable(status(TaskState.TASK_FAILED, Reason.REASON_EXECUTOR_TERMINATED),
                null, true, false));
        assertEquals(true, TaskRetry.retryable(status(TaskState.TASK_LOST, Reason.REASON_AGENT_REMOVED), null,
                true, false));
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_FAILED,
                Reason.REASON_CONTAINER_LIMITATION_MEMORY), null, true, false));
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_FAILED, null), null, true, false));
    }

    @Test
    void aBuildThatSaidItWasAboutToPushIsNeverRetriedWhateverTheCluster() {
        // Its executor may have died after the push, or its final update may have been lost: a retry would push again.
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_FAILED, Reason.REASON_EXECUTOR_TERMINATED),
                null, true, true));
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_LOST, Reason.REASON_AGENT_REMOVED), null, true,
                true));
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_FAILED, null), null, false, true));
    }

    @Test
    void invalidKilledOrReportedBuildsAreNeverRetried() {
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_ERROR, Reason.REASON_TASK_INVALID), null,
                false, false));
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_KILLED, null), null, false, false));
        assertEquals(false, TaskRetry.retryable(status(TaskState.TASK_FAILED, Reason.REASON_EXECUTOR_TERMINATED),
                TaskResult.failure("unknown instruction: FORM", null, 0), false, false));
    }
}
