package dev.portainer.local.master;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portainer.local.NodeContext;
import dev.portainer.local.http.StateJson;
import dev.portainer.local.resources.Resources;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Task;

/** The master's /state, /frameworks and /tasks in Mesos's JSON shapes (a subset of the fields). */
public final class MasterState {
    private final Master master;

    public MasterState(Master master) {
        this.master = master;
    }

    public String state() {
        NodeContext ctx = master.context();
        ObjectNode root = StateJson.object();
        root.put("version", NodeContext.VERSION);
        root.put("start_time", master.startTime());
        root.put("elected_time", master.startTime());
        root.put("id", ctx.masterId());
        root.put("pid", ctx.masterPid());
        root.put("hostname", ctx.hostname());
        root.put("activated_slaves", 1.0);
        root.put("deactivated_slaves", 0.0);
        root.put("unreachable_slaves", 0.0);
        root.put("leader", ctx.masterPid());
        ObjectNode leader = root.putObject("leader_info");
        leader.put("id", ctx.masterId());
        leader.put("pid", ctx.masterPid());
        leader.put("port", ctx.masterPort());
        leader.put("hostname", ctx.hostname());
        ObjectNode flags = root.putObject("flags");
        flags.put("hostname", ctx.hostname());
        flags.put("port", Integer.toString(ctx.masterPort()));
        flags.put("allocation_interval", NodeContext.mesosDuration(ctx.config().allocationInterval()));
        ArrayNode slaves = root.putArray("slaves");
        ObjectNode slave = slaves.addObject();
        slave.put("id", ctx.agentId());
        slave.put("hostname", ctx.hostname());
        slave.put("port", ctx.agentPort());
        var attributes = slave.putObject("attributes");
        ctx.config().attributes().forEach(attributes::put);
        slave.put("pid", ctx.agentPid());
        slave.put("registered_time", master.startTime());
        slave.set("resources", StateJson.resources(master.total()));
        slave.set("used_resources", StateJson.resources(master.usedResources()));
        slave.set("offered_resources", StateJson.resources(master.offeredResources(null)));
        slave.putObject("reserved_resources");
        slave.set("unreserved_resources", StateJson.resources(master.total()));
        slave.put("active", true);
        slave.put("deactivated", false);
        slave.put("version", NodeContext.VERSION);
        slave.putArray("capabilities").add("MULTI_ROLE");
        root.putArray("recovered_slaves");
        root.set("frameworks", frameworks(false));
        root.set("completed_frameworks", frameworks(true));
        root.putArray("orphan_tasks");
        root.putArray("unregistered_frameworks");
        return root.toString();
    }

    public String frameworksEndpoint() {
        ObjectNode root = StateJson.object();
        root.set("frameworks", frameworks(false));
        root.set("completed_frameworks", frameworks(true));
        root.putArray("unregistered_frameworks");
        return root.toString();
    }

    public String tasksEndpoint() {
        ObjectNode root = StateJson.object();
        ArrayNode tasks = root.putArray("tasks");
        for (Framework framework : master.frameworks().values()) {
            framework.tasks.values().forEach(t -> tasks.add(StateJson.task(t.build(), framework.role())));
            framework.completedTasks.forEach(t -> tasks.add(StateJson.task(t, framework.role())));
        }
        return root.toString();
    }

    private ArrayNode frameworks(boolean completed) {
        ArrayNode array = StateJson.object().arrayNode();
        Iterable<Framework> source = completed ? master.completedFrameworks() : master.frameworks().values();
        for (Framework framework : source) {
            array.add(framework(framework, completed));
        }
        return array;
    }

    private ObjectNode framework(Framework framework, boolean completed) {
        NodeContext ctx = master.context();
        FrameworkInfo info = framework.info;
        ObjectNode node = StateJson.object();
        node.put("id", framework.id);
        node.put("name", info.getName());
        node.set("used_resources", StateJson.resources(master.usedResources(framework)));
        node.set("offered_resources", StateJson.resources(master.offeredResources(framework.id)));
        ArrayNode capabilities = node.putArray("capabilities");
        info.getCapabilitiesList().forEach(c -> capabilities.add(c.getType().name()));
        node.put("hostname", info.getHostname());
        node.put("webui_url", info.getWebuiUrl());
        node.put("active", !completed && framework.connected());
        node.put("connected", !completed && framework.connected());
        node.put("recovered", false);
        node.put("user", info.getUser());
        node.put("failover_timeout", info.getFailoverTimeout());
        node.put("checkpoint", info.getCheckpoint());
        node.put("registered_time", framework.registeredTime);
        node.put("unregistered_time", framework.unregisteredTime);
        Resources total = master.usedResources(framework).plus(master.offeredResources(framework.id));
        node.set("resources", StateJson.resources(total));
        ArrayNode roles = node.putArray("roles");
        roles.add(framework.role());
        ArrayNode tasks = node.putArray("tasks");
        framework.tasks.values().forEach(t -> tasks.add(StateJson.task(t.build(), framework.role())));
        node.putArray("unreachable_tasks");
        ArrayNode completedTasks = node.putArray("completed_tasks");
        for (Task task : framework.completedTasks) {
            completedTasks.add(StateJson.task(task, framework.role()));
        }
        ArrayNode offers = node.putArray("offers");
        for (Offer offer : master.offers().values()) {
            if (offer.getFrameworkId().getValue().equals(framework.id)) {
                ObjectNode o = offers.addObject();
                o.put("id", offer.getId().getValue());
                o.put("framework_id", framework.id);
                o.putObject("allocation_info").put("role", framework.role());
                o.put("slave_id", ctx.agentId());
                o.set("resources", StateJson.resources(offer.getResourcesList()));
            }
        }
        ArrayNode executors = node.putArray("executors");
        for (ExecutorInfo executor : framework.executors.values()) {
            ObjectNode e = executors.addObject();
            e.put("executor_id", executor.getExecutorId().getValue());
            e.put("name", executor.getName());
            e.put("framework_id", framework.id);
            e.set("command", StateJson.command(executor.getCommand()));
            e.set("resources", StateJson.resources(executor.getResourcesList()));
            e.put("role", framework.role());
            e.put("type", executor.hasType() ? executor.getType().name() : "CUSTOM");
            e.put("slave_id", ctx.agentId());
        }
        node.putObject("offer_constraints");
        return node;
    }
}
