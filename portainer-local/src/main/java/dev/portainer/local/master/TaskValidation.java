package dev.portainer.local.master;

import dev.portainer.local.resources.InvalidResourcesException;
import dev.portainer.local.resources.Resources;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;

import java.util.List;

/** The master's checks of a task in a LAUNCH, in Mesos's order and with Mesos's messages. */
final class TaskValidation {
    private TaskValidation() {
    }

    /** Returns the error Mesos would put in the TASK_ERROR message, or null for a valid task. */
    static String validate(TaskInfo task, Framework framework, String agentId, Resources offered)
            throws InvalidResourcesException {
        String idError = validateId(task.getTaskId().getValue());
        if (idError != null) {
            return "'TaskID.value' is invalid: " + idError;
        }
        if (framework.tasks.containsKey(task.getTaskId().getValue())) {
            return "Task has duplicate ID: " + task.getTaskId().getValue();
        }
        if (!task.getAgentId().getValue().equals(agentId)) {
            return "Task uses invalid agent " + task.getAgentId().getValue() + " while agent " + agentId
                    + " is expected";
        }
        if (task.getResourcesCount() == 0) {
            return "Task uses no resources";
        }
        Resources taskResources;
        try {
            taskResources = Resources.fromProto(task.getResourcesList());
        } catch (InvalidResourcesException e) {
            return "Task uses invalid resources: " + e.getMessage();
        }
        if (task.hasExecutor() == task.hasCommand()) {
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
        }
        if (task.hasCommand()) {
            // The agent runs a command task itself, like Mesos's command executor, whose overhead is not offered.
            return offered.contains(taskResources) ? null : "Total resources " + taskResources.describe(
                    roleOf(task.getResourcesList())) + " required by task and its executor is more than available "
                    + offered.describe(roleOf(task.getResourcesList()));
        }
        ExecutorInfo executor = task.getExecutor();
        String executorIdError = validateId(executor.getExecutorId().getValue());
        if (executorIdError != null) {
            return "'ExecutorID.value' is invalid: " + executorIdError;
        }
        if (executor.hasType() && executor.getType() != ExecutorInfo.Type.CUSTOM) {
            return "'ExecutorInfo.type' must be 'CUSTOM'";
        }
        if (!executor.hasCommand()) {
            return "'ExecutorInfo.command' must be set";
        }
        if (!executor.getFrameworkId().getValue().equals(framework.id)) {
            return "ExecutorInfo has an invalid FrameworkID (Actual: " + executor.getFrameworkId().getValue()
                    + " vs Expected: " + framework.id + ")";
        }
        Resources executorResources;
        try {
            executorResources = Resources.fromProto(executor.getResourcesList());
        } catch (InvalidResourcesException e) {
            return "Executor uses invalid resources: " + e.getMessage();
        }
        ExecutorInfo existing = framework.executors.get(executor.getExecutorId().getValue());
        if (existing != null && !existing.equals(executor)) {
            return "ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.\n"
                    + "------------------------------------------------------------\n"
                    + "Existing ExecutorInfo:\n" + existing + "\n"
                    + "------------------------------------------------------------\n"
                    + "ExecutorInfo:\n" + executor + "\n"
                    + "------------------------------------------------------------\n";
        }
        Resources needed = existing == null ? taskResources.plus(executorResources) : taskResources;
        if (!offered.contains(needed)) {
            String role = roleOf(task.getResourcesList());
            return "Total resources " + needed.describe(role) + " required by task and its executor is more than"
                    + " available " + offered.describe(role);
        }
        return null;
    }

    private static String roleOf(List<Resource> resources) {
        return resources.isEmpty() ? "*" : resources.get(0).getAllocationInfo().getRole();
    }

    /** Mesos's common ID rules: not empty, not "." or "..", no control characters, '/' or '\'. */
    static String validateId(String id) {
        if (id.isEmpty()) {
            return "ID must not be empty";
        }
        if (id.length() > 255) {
            return "ID must not be greater than 255 characters";
        }
        if (id.equals(".") || id.equals("..")) {
            return "'" + id + "' is disallowed";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c) || c == '/' || c == '\\') {
                return "'" + id + "' contains invalid characters";
            }
        }
        return null;
    }
}
