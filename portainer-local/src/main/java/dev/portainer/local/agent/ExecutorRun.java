package dev.portainer.local.agent;

import dev.portainer.local.http.EventStream;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskStatus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/** One run of an executor in its sandbox (one "container"); owned by the event loop. */
final class ExecutorRun {
    /** The life of an executor, as the Mesos agent tracks it. */
    enum State { LAUNCHING, REGISTERING, RUNNING, TERMINATING, TERMINATED }

    final String frameworkId;
    final FrameworkInfo framework;
    final ExecutorInfo info;
    final String containerId;
    final Path sandbox;
    State state = State.LAUNCHING;
    ProcessTree process;
    EventStream stream;
    /** Tasks waiting for the executor to subscribe. */
    final List<TaskInfo> queued = new ArrayList<>();
    /** Tasks given to the executor (or still queued), by id, with their latest state. */
    final Map<String, Task.Builder> tasks = new LinkedHashMap<>();
    final List<Task> completedTasks = new ArrayList<>();
    final Set<String> killRequested = new HashSet<>();
    ScheduledFuture<?> registrationTimer;
    ScheduledFuture<?> shutdownTimer;
    ScheduledFuture<?> heartbeat;
    TaskStatus.Reason terminationReason = TaskStatus.Reason.REASON_EXECUTOR_TERMINATED;
    String terminationMessage = "Executor terminated";
    boolean killedByAgent;
    /** A command task: the agent plays Mesos's command executor (no executor API, updates from the exit code). */
    boolean commandTask;
    /** What the executor must send as {@code Authorization: Bearer}; null for a command task, which has no API. */
    dev.portainer.wire.auth.Secret token;

    ExecutorRun(String frameworkId, FrameworkInfo framework, ExecutorInfo info, String containerId, Path sandbox) {
        this.frameworkId = frameworkId;
        this.framework = framework;
        this.info = info;
        this.containerId = containerId;
        this.sandbox = sandbox;
    }

    String id() {
        return info.getExecutorId().getValue();
    }
}
