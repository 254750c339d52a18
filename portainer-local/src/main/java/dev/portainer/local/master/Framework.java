package dev.portainer.local.master;

import dev.portainer.local.http.EventStream;
import dev.portainer.local.resources.Resources;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.scheduler.Protos.Event;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/** The master's record of one framework; owned by the event loop. */
final class Framework {
    /** Resources refused until a time, as a DECLINE or ACCEPT filter says. */
    record Filter(Resources resources, Instant until) {
    }

    final String id;
    FrameworkInfo info;
    EventStream stream;
    String streamId;
    boolean suppressed;
    final double registeredTime;
    double unregisteredTime;
    final List<Filter> filters = new ArrayList<>();
    /** Tasks the master knows, by id, in launch order; removed when their terminal update is acknowledged. */
    final Map<String, Task.Builder> tasks = new LinkedHashMap<>();
    final Deque<Task> completedTasks = new ArrayDeque<>();
    final Map<String, ExecutorInfo> executors = new LinkedHashMap<>();
    ScheduledFuture<?> heartbeat;
    ScheduledFuture<?> failover;

    Framework(String id, FrameworkInfo info, double registeredTime) {
        this.id = id;
        this.info = info;
        this.registeredTime = registeredTime;
    }

    boolean connected() {
        return stream != null;
    }

    String role() {
        if (info.getRolesCount() > 0) {
            return info.getRoles(0);
        }
        return info.hasRole() ? info.getRole() : "*";
    }

    boolean partitionAware() {
        return info.getCapabilitiesList().stream()
                .anyMatch(c -> c.getType() == FrameworkInfo.Capability.Type.PARTITION_AWARE);
    }

    void send(Event event) {
        if (stream != null) {
            stream.send(event);
        }
    }

    void completeTask(Task task) {
        completedTasks.addLast(task);
        while (completedTasks.size() > 1000) {
            completedTasks.removeFirst();
        }
    }
}
