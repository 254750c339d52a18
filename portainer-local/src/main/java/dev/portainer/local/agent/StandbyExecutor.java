package dev.portainer.local.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.CommandInfo;

/**
 * An executor JVM the agent starts before the task that needs it is launched, so that its start-up (the JVM, its
 * classes, its Docker client: ~0.3 s) overlaps the build's packing and scheduling instead of following the offer.
 * It stands in for exactly one command: a launch whose {@code CommandInfo} is that shell command gets this process,
 * which receives the environment the agent would have started it with on its standard input (the executor's
 * {@code --standby} mode) and from then on is that executor, in that sandbox. Any other launch starts its command as
 * usual. The Mesos agent has nothing like it; to the executor API nothing changes.
 */
final class StandbyExecutor {
    private final String commandValue;
    private final ProcessTree process;

    private StandbyExecutor(String commandValue, ProcessTree process) {
        this.commandValue = commandValue;
        this.process = process;
    }

    /**
     * Starts {@code command} in {@code directory} with the agent's environment, its output appended to {@code log}
     * until it is handed its launch.
     */
    static StandbyExecutor start(String commandValue, List<String> command, Path directory,
                                 Map<String, String> environment, Path log) throws IOException {
        // Niced: on a machine with few cores its start-up competes with the build it is waiting for (two cores,
        // hello-world, first Docker line: 0.91 s without a standby, 0.93 with one at the same priority, 0.86 niced).
        List<String> line = new ArrayList<>();
        if (ProcessTree.NICE != null) {
            line.addAll(List.of(ProcessTree.NICE.toString(), "-n", "10"));
        }
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line)
                .directory(directory.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new StandbyExecutor(commandValue, ProcessTree.start(builder));
    }

    /** Whether a launch of {@code command} can be given to this process: the same shell command, still waiting. */
    boolean standsInFor(CommandInfo command) {
        return (!command.hasShell() || command.getShell()) && command.getValue().equals(commandValue)
                && process.process().isAlive();
    }

    /** Hands the launch's environment to the process, which then runs as that executor. */
    ProcessTree handOver(Map<String, String> environment) throws IOException {
        StringBuilder launch = new StringBuilder();
        environment.forEach((name, value) -> launch.append(name).append('=').append(value).append('\0'));
        try (OutputStream in = process.process().getOutputStream()) {
            in.write(launch.toString().getBytes(StandardCharsets.UTF_8));
        }
        return process;
    }

    /** Kills the process if it was never handed a launch. */
    void discard() {
        process.kill();
    }
}
