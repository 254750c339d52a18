package dev.portainer.wire.mesos;

import org.apache.mesos.v1.Protos.TaskState;

/** Mesos's own rule for task states (its {@code protobuf::isTerminalState}), written once. */
public final class TaskStates {
    private TaskStates() {
    }

    /**
     * Whether Mesos considers a task in {@code state} ended: it will not change state again. TASK_UNREACHABLE and
     * TASK_UNKNOWN are not terminal to Mesos (the task may come back).
     */
    public static boolean isTerminal(TaskState state) {
        return switch (state) {
            case TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_LOST, TASK_ERROR, TASK_DROPPED, TASK_GONE,
                    TASK_GONE_BY_OPERATOR -> true;
            default -> false;
        };
    }
}
