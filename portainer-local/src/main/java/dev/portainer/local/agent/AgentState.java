package dev.portainer.local.agent;

import dev.portainer.wire.mesos.TaskStates;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portainer.local.NodeContext;
import dev.portainer.local.http.StateJson;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskInfo;

/** The agent's /state in Mesos's JSON shape (a subset of the fields). */
public final class AgentState {
    private final Agent agent;

    public AgentState(Agent agent) {
        this.agent = agent;
    }

    public String state() {
        NodeContext ctx = agent.context();
        ObjectNode root = StateJson.object();
        root.put("version", NodeContext.VERSION);
        root.put("start_time", agent.startTime());
        root.put("id", ctx.agentId());
        root.put("pid", ctx.agentPid());
        root.put("hostname", ctx.hostname());
        root.set("resources", StateJson.resources(agent.total()));
        root.putObject("reserved_resources");
        root.set("unreserved_resources", StateJson.resources(agent.total()));
        root.putObject("attributes");
        root.put("master_hostname", ctx.hostname());
        ObjectNode flags = root.putObject("flags");
        flags.put("work_dir", ctx.workDir().toString());
        flags.put("executor_registration_timeout",
                NodeContext.mesosDuration(ctx.config().executorRegistrationTimeout()));
        flags.put("executor_shutdown_grace_period",
                NodeContext.mesosDuration(ctx.config().executorShutdownGracePeriod()));
        flags.put("port", Integer.toString(ctx.agentPort()));
        flags.put("hostname", ctx.hostname());
        ArrayNode frameworks = root.putArray("frameworks");
        agent.frameworks().values().forEach(f -> frameworks.add(framework(f)));
        ArrayNode completed = root.putArray("completed_frameworks");
        agent.completedFrameworks().forEach(f -> completed.add(framework(f)));
        return root.toString();
    }

    private ObjectNode framework(Agent.AgentFramework framework) {
        ObjectNode node = StateJson.object();
        node.put("id", framework.id);
        node.put("name", framework.info.getName());
        node.put("user", framework.info.getUser());
        node.put("failover_timeout", framework.info.getFailoverTimeout());
        node.put("checkpoint", framework.info.getCheckpoint());
        node.put("hostname", framework.info.getHostname());
        String role = framework.info.getRolesCount() > 0 ? framework.info.getRoles(0)
                : framework.info.hasRole() ? framework.info.getRole() : "*";
        node.putArray("roles").add(role);
        ArrayNode executors = node.putArray("executors");
        framework.executors.values().forEach(run -> executors.add(executor(run, role)));
        ArrayNode completed = node.putArray("completed_executors");
        framework.completedExecutors.forEach(run -> completed.add(executor(run, role)));
        return node;
    }

    private static ObjectNode executor(ExecutorRun run, String role) {
        ObjectNode node = StateJson.object();
        node.put("id", run.id());
        node.put("name", run.info.getName());
        node.put("source", run.info.getSource());
        node.put("container", run.containerId);
        node.put("directory", run.sandbox.toString());
        node.set("resources", StateJson.resources(run.info.getResourcesList()));
        node.put("role", role);
        node.put("type", run.info.hasType() ? run.info.getType().name() : "CUSTOM");
        ArrayNode tasks = node.putArray("tasks");
        ArrayNode queued = node.putArray("queued_tasks");
        ArrayNode completed = node.putArray("completed_tasks");
        for (Task.Builder task : run.tasks.values()) {
            boolean isQueued = run.queued.stream().map(TaskInfo::getTaskId).anyMatch(task.getTaskId()::equals);
            ObjectNode json = StateJson.task(task.build(), role);
            if (TaskStates.isTerminal(task.getState())) {
                completed.add(json);
            } else if (isQueued) {
                queued.add(json);
            } else {
                tasks.add(json);
            }
        }
        return node;
    }
}
