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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The master's /state, /frameworks and /tasks in Mesos's JSON shapes (a subset of the fields). */
public final class MasterState {
    /** The master's TASK_LIMIT: what /tasks answers without a {@code limit}. */
    static final int TASK_LIMIT = 100;

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

    /** {@code /frameworks}, all of them or only the one {@code framework_id} names (in either list). */
    public String frameworksEndpoint(Map<String, String> query) {
        Predicate<String> selected = accepting(query.get("framework_id"));
        ObjectNode root = StateJson.object();
        root.set("frameworks", frameworks(false, selected));
        root.set("completed_frameworks", frameworks(true, selected));
        root.putArray("unregistered_frameworks");
        return root.toString();
    }

    /**
     * {@code /tasks}: the tasks of registered and completed frameworks, live and completed, by their first status's
     * time ({@code order=des} unless {@code asc}), {@code limit} (100) from {@code offset}, only those of
     * {@code framework_id} and {@code task_id} when given; as the Mesos master's ReadOnlyHandler::tasks.
     */
    public String tasksEndpoint(Map<String, String> query) {
        Predicate<String> frameworkSelected = accepting(query.get("framework_id"));
        Predicate<String> taskSelected = accepting(query.get("task_id"));
        List<Framework> frameworks = new ArrayList<>(master.frameworks().values());
        frameworks.addAll(master.completedFrameworks());
        List<ObjectNode> tasks = new ArrayList<>();
        for (Framework framework : frameworks) {
            if (!frameworkSelected.test(framework.id)) {
                continue;
            }
            List<Task> all = new ArrayList<>();
            framework.tasks.values().forEach(t -> all.add(t.build()));
            all.addAll(framework.completedTasks);
            for (Task task : all) {
                if (taskSelected.test(task.getTaskId().getValue())) {
                    tasks.add(StateJson.task(task, framework.role()));
                }
            }
        }
        // Mesos compares the first status's timestamp; a task without one goes last (des) or first (asc).
        Comparator<ObjectNode> byFirstStatus = Comparator.comparing(
                (ObjectNode t) -> t.path("statuses").isEmpty() ? null : t.path("statuses").get(0).path("timestamp")
                        .asDouble(), Comparator.nullsFirst(Comparator.naturalOrder()));
        tasks.sort("asc".equals(query.get("order")) ? byFirstStatus : byFirstStatus.reversed());
        long limit = number(query.get("limit"), TASK_LIMIT);
        long offset = number(query.get("offset"), 0);
        ObjectNode root = StateJson.object();
        ArrayNode array = root.putArray("tasks");
        // Mesos reads both as size_t: a negative limit means no limit, a negative offset is past the end.
        long end = limit < 0 ? tasks.size() : Math.min(tasks.size(), Math.max(offset, 0) + limit);
        for (long i = offset; i >= 0 && i < end; i++) {
            array.add(tasks.get((int) i));
        }
        return root.toString();
    }

    /** Mesos's IDAcceptor: everything without a value, else exactly that id. */
    private static Predicate<String> accepting(String id) {
        return id == null ? any -> true : id::equals;
    }

    private static long number(String value, long otherwise) {
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private ArrayNode frameworks(boolean completed) {
        return frameworks(completed, any -> true);
    }

    private ArrayNode frameworks(boolean completed, Predicate<String> selected) {
        ArrayNode array = StateJson.object().arrayNode();
        Iterable<Framework> source = completed ? master.completedFrameworks() : master.frameworks().values();
        for (Framework framework : source) {
            if (selected.test(framework.id)) {
                array.add(framework(framework, completed));
            }
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
