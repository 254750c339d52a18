package dev.portainer.core.scheduler;

import java.util.List;

/**
 * How the agent starts the Portainer executor: what it fetches into the sandbox, the {@code /bin/sh} command it runs
 * there (e.g. {@code java -jar portainer-executor.jar}) and the resources the executor itself needs besides the task.
 */
public record ExecutorLaunch(List<FetchUri> uris, String shellCommand, double cpus, double memMb) {
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
