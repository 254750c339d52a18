package dev.portainer.local.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An executor's process and everything it started. Started through setsid(1) when available, so that the whole
 * process group can be killed at once, like the Mesos posix launcher does; descendants are killed as well for
 * processes that left the group.
 */
final class ProcessTree {
    private static final Path SETSID = findTool("setsid");
    /** nice(1), for processes that should yield the CPU to the build; null when there is none. */
    static final Path NICE = findTool("nice");

    private final Process process;
    private final boolean ownGroup;
    private final String dockerContainer;

    private ProcessTree(Process process, boolean ownGroup, String dockerContainer) {
        this.process = process;
        this.ownGroup = ownGroup;
        this.dockerContainer = dockerContainer;
    }

    /**
     * Starts a {@code docker run} of container {@code name}. Killing the docker CLI would leave the container
     * running, so a kill removes the container ({@code docker rm -f}) and the CLI then exits by itself.
     */
    static ProcessTree start(ProcessBuilder builder, String dockerContainer) throws IOException {
        return new ProcessTree(builder.start(), false, dockerContainer);
    }

    /** Starts {@code builder}'s command as the leader of a new session when setsid(1) exists. */
    static ProcessTree start(ProcessBuilder builder) throws IOException {
        if (SETSID != null) {
            List<String> command = new java.util.ArrayList<>();
            command.add(SETSID.toString());
            command.addAll(builder.command());
            builder.command(command);
        }
        return new ProcessTree(builder.start(), SETSID != null, null);
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERMs the group (or the process), to let a command task end cleanly before its kill. */
    void terminate() {
        if (ownGroup) {
            signalGroup("-TERM");
        }
        process.destroy();
    }

    private void signalGroup(String signal) {
        try {
            new ProcessBuilder("kill", signal, "--", "-" + process.pid())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // The caller falls back on killing the process itself.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILLs the group and every descendant still known; returns at once. */
    void kill() {
        if (dockerContainer != null) {
            try {
                // The CLI is killed once the container is gone, so that the executor's exit means "container gone".
                new ProcessBuilder("docker", "rm", "-f", dockerContainer)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .onExit()
                        .thenRun(process::destroyForcibly);
                return;
            } catch (IOException e) {
                // no docker CLI any more: at least end the client
            }
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        if (ownGroup) {
            signalGroup("-KILL");
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Path findTool(String name) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
