package dev.portainer.core.scheduler;

import java.util.List;

/**
 * How the agent starts the Portainer executor: what it fetches into the sandbox, the {@code /bin/sh} command it runs
 * there (e.g. {@code java -jar portainer-executor.jar}) and the resources the executor itself needs besides the task.
 * With a {@code containerImage} the agent's Docker containerizer runs the command in a privileged container of that
 * image on the host's network (Docker-in-Docker builds).
 *
 * <p>With {@code severalTasks}, one executor on an agent runs every task of the run that has this same launch
 * ({@link dev.portainer.wire.ExecutorContract#SEVERAL_TASKS_ENV}): a JVM starts once per agent, not once per image.
 * Mesos fetches an executor's URIs only when it starts, so such a launch fetches what every task needs (the executor
 * jar) and nothing of one task's own: the task's spec says where its context is.
 */
public record ExecutorLaunch(List<FetchUri> uris, String shellCommand, double cpus, double memMb,
                             String containerImage, boolean severalTasks) {
    /** An executor run directly on the agent (no container), for one task. */
    public ExecutorLaunch(List<FetchUri> uris, String shellCommand, double cpus, double memMb) {
        this(uris, shellCommand, cpus, memMb, null);
    }

    /** An executor for one task. */
    public ExecutorLaunch(List<FetchUri> uris, String shellCommand, double cpus, double memMb,
                          String containerImage) {
        this(uris, shellCommand, cpus, memMb, containerImage, false);
    }

    public ExecutorLaunch {
        uris = List.copyOf(uris);
        if (shellCommand == null || shellCommand.isBlank()) {
            throw new IllegalArgumentException("the executor's shell command must not be empty");
        }
        if (!(cpus >= 0) || !(memMb >= 0)) {
            throw new IllegalArgumentException("executor resources must not be negative, got cpus=" + cpus
                    + " memMb=" + memMb);
        }
    }
}
