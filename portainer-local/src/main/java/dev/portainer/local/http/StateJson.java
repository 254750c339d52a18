package dev.portainer.local.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portainer.local.resources.InvalidResourcesException;
import dev.portainer.local.resources.Resources;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskStatus;

import java.util.List;
import java.util.Map;

/** The JSON shapes shared by the master's and the agent's /state (Mesos's "model" of tasks and executors). */
public final class StateJson {
    private StateJson() {
    }

    public static ObjectNode object() {
        return ProtoCodec.mapper().createObjectNode();
    }

    public static ObjectNode resources(Resources resources) {
        ObjectNode node = object();
        for (Map.Entry<String, Object> entry : resources.toStateMap().entrySet()) {
            if (entry.getValue() instanceof Double value) {
                node.put(entry.getKey(), value);
            } else {
                node.put(entry.getKey(), entry.getValue().toString());
            }
        }
        return node;
    }

    public static ObjectNode resources(List<Resource> resources) {
        try {
            return resources(Resources.fromProto(resources));
        } catch (InvalidResourcesException e) {
            return resources(Resources.EMPTY);
        }
    }

    /** A task as Mesos's /state shows it: no data, statuses without data or uuid. */
    public static ObjectNode task(Task task, String role) {
        ObjectNode node = object();
        node.put("id", task.getTaskId().getValue());
        node.put("name", task.getName());
        node.put("framework_id", task.getFrameworkId().getValue());
        node.put("executor_id", task.getExecutorId().getValue());
        node.put("slave_id", task.getAgentId().getValue());
        node.put("state", task.getState().name());
        node.set("resources", resources(task.getResourcesList()));
        node.put("role", role);
        ArrayNode statuses = node.putArray("statuses");
        for (TaskStatus status : task.getStatusesList()) {
            ObjectNode s = statuses.addObject();
            s.put("state", status.getState().name());
            s.put("timestamp", status.getTimestamp());
            if (status.hasContainerStatus()) {
                ObjectNode containerStatus = ProtoCodec.toJsonNode(status.getContainerStatus());
                containerStatus.remove("executor_pid");
                s.set("container_status", containerStatus);
            }
        }
        return node;
    }

    /** An executor's command as /state shows it: environment values are public there, like in Mesos. */
    public static ObjectNode command(CommandInfo command) {
        ObjectNode node = object();
        node.put("shell", !command.hasShell() || command.getShell());
        if (command.hasValue()) {
            node.put("value", command.getValue());
        }
        ArrayNode argv = node.putArray("argv");
        command.getArgumentsList().forEach(argv::add);
        if (command.hasEnvironment()) {
            ObjectNode environment = ProtoCodec.toJsonNode(command.getEnvironment());
            node.set("environment", environment);
        }
        ArrayNode uris = node.putArray("uris");
        for (CommandInfo.URI uri : command.getUrisList()) {
            uris.add(ProtoCodec.toJsonNode(uri));
        }
        return node;
    }
}
