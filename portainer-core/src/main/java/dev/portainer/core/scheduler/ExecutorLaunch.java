package dev.portainer.core.scheduler;

import java.util.List;

/**
 * How the agent starts the Portainer executor: what it fetches into the sandbox, the {@code /bin/sh} command it runs
 * there (e.g. {@code java -jar portainer-executor.jar}) and the resources the executor itself needs besides the task.
 * With a {@code containerImage} the agent's Docker containerizer runs the command in a privileged container of that
 * image on the host's network (Docker-in-Docker builds).
 */
public record ExecutorLaunch(List<FetchUri> uris, String shellCommand, double cpus, double memMb,
                             String containerImage) {
    /** An executor run directly on the agent (no container). */
    public ExecutorLaunch(List<FetchUri> uris, String shellCommand, double cpus, double memMb) {
        this(uris, shellCommand, cpus, memMb, null);
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
