package dev.portainer.local.agent;

import dev.portainer.local.NodeContext;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.Environment;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fetches an executor's URIs into its sandbox and starts its command, as the Mesos containerizer does; an executor
 * with a DOCKER {@code ContainerInfo} runs in a container of the local Docker daemon, as Mesos's Docker
 * containerizer runs it.
 */
final class ExecutorLauncher {
    /** Where Mesos's Docker containerizer mounts the sandbox in the container (its --sandbox_directory default). */
    static final String CONTAINER_SANDBOX = "/mnt/mesos/sandbox";

    private final NodeContext ctx;
    private final Map<String, String> agentEnvironment;
    private final Fetcher fetcher;
    /** An executor started ahead of its launch, or null; see {@link #prepare}. */
    private StandbyExecutor standby;

    ExecutorLauncher(NodeContext ctx, Map<String, String> agentEnvironment, Fetcher fetcher) {
        this.ctx = ctx;
        this.agentEnvironment = agentEnvironment;
        this.fetcher = fetcher;
    }

    /**
     * Starts {@code command} now to stand in for the next launch whose shell command is {@code commandValue}
     * ({@link StandbyExecutor}), in a directory of its own under the agent's work directory into which {@code file}
     * is linked as the fetcher would (an executor jar and its class-data archive); replaces a standby not used yet.
     */
    synchronized void prepare(String commandValue, List<String> command, Path file) throws IOException {
        discardStandby();
        Path directory = Files.createDirectories(ctx.workDir().resolve("standby").resolve(
                java.util.UUID.randomUUID().toString()));
        Path log = directory.resolve("standby.log");
        try (PrintStream out = new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8)) {
            Fetcher.copyLocal(file, directory.resolve(file.getFileName()), true, out);
        }
        standby = StandbyExecutor.start(commandValue, command, directory, agentEnvironment, log);
    }

    /** Kills a standby executor no launch took. */
    synchronized void discardStandby() {
        if (standby != null) {
            standby.discard();
            standby = null;
        }
    }

    private synchronized StandbyExecutor takeStandby(CommandInfo command) {
        StandbyExecutor taken = standby != null && standby.standsInFor(command) ? standby : null;
        if (taken != null) {
            standby = null;
        }
        return taken;
    }

    /** Runs on an I/O thread: creates the sandbox, fetches, starts. */
    ProcessTree launch(ExecutorRun run) throws IOException, Fetcher.FetchException {
        Files.createDirectories(run.sandbox);
        // Like the Mesos agent: runs/latest names the newest run, and /files serves it as a virtual path.
        Path latest = run.sandbox.resolveSibling("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, run.sandbox.getFileName());
        File stdout = run.sandbox.resolve("stdout").toFile();
        File stderr = run.sandbox.resolve("stderr").toFile();
        Files.write(stdout.toPath(), new byte[0]);
        Files.write(stderr.toPath(), new byte[0]);
        CommandInfo command = run.info.getCommand();
        if (command.getUrisCount() > 0) {
            try (PrintStream log = new PrintStream(new FileOutputStream(stderr, true), true, StandardCharsets.UTF_8)) {
                // The agent's fetcher caches per user: the command's, else the framework's.
                fetcher.fetchAll(command.getUrisList(), run.sandbox, log,
                        command.hasUser() ? command.getUser() : run.framework.getUser());
            }
        }
        boolean docker = run.info.hasContainer() && run.info.getContainer().getType() == ContainerInfo.Type.DOCKER;
        StandbyExecutor ready = docker ? null : takeStandby(command);
        if (ready != null) {
            try {
                return ready.handOver(environment(run));
            } catch (IOException e) {
                // It died meanwhile: start the command as usual.
                ready.discard();
            }
        }
        ProcessBuilder builder = new ProcessBuilder(docker ? dockerRun(run, containerName(run)) : commandLine(command))
                .directory(run.sandbox.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr));
        if (docker) {
            // Like the Mesos agent's log line "Running docker -H … run …", but where the framework's user sees it.
            Files.writeString(stderr.toPath(), "Running " + String.join(" ", builder.command()) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            // The docker CLI runs with the agent's environment (PATH, DOCKER_HOST); the executor's goes in with -e.
            builder.environment().clear();
            builder.environment().putAll(agentEnvironment);
            if (run.token != null) {
                // Named alone on the command line ("-e NAME"), the docker CLI takes the value from its own
                // environment: a command line is readable by every user of the machine, an environment is not.
                builder.environment().put(ExecutorTokens.ENVIRONMENT_VARIABLE, run.token.reveal());
            }
            return ProcessTree.start(builder, containerName(run));
        }
        builder.environment().clear();
        builder.environment().putAll(environment(run));
        return ProcessTree.start(builder);
    }

    /** The container's name, as Mesos's Docker containerizer names it. */
    static String containerName(ExecutorRun run) {
        return "mesos-" + run.containerId;
    }

    /**
     * The {@code docker run} that Mesos's Docker containerizer makes of the executor's ContainerInfo and command:
     * {@code --privileged}, {@code --net}, the executor's environment as {@code -e} with {@code MESOS_SANDBOX} set to
     * the mount point, the sandbox mounted there, {@code --entrypoint /bin/sh} and {@code -c command} when
     * shell=true. {@code --rm} because nobody else removes the container once the executor has exited. Unlike
     * Mesos, no {@code --cpu-shares}/{@code --memory} limits (this is a single-node development agent) and the agent's
     * own environment is not passed in (the image's PATH and JAVA_HOME must stay the image's).
     */
    List<String> dockerRun(ExecutorRun run, String name) {
        ContainerInfo.DockerInfo info = run.info.getContainer().getDocker();
        CommandInfo command = run.info.getCommand();
        List<String> line = new ArrayList<>(List.of("docker", "run", "--rm", "--name", name));
        if (info.getPrivileged()) {
            line.add("--privileged");
        }
        switch (info.getNetwork()) {
            case HOST -> line.addAll(List.of("--net", "host"));
            case NONE -> line.addAll(List.of("--net", "none"));
            case USER -> line.addAll(List.of("--net", run.info.getContainer().getNetworkInfos(0).getName()));
            default -> line.addAll(List.of("--net", "bridge"));
        }
        Map<String, String> env = new LinkedHashMap<>(environment(run));
        agentEnvironment.keySet().forEach(env::remove);
        env.putAll(mesosVariables(run));
        env.put("MESOS_SANDBOX", CONTAINER_SANDBOX);
        env.put("MESOS_CONTAINER_NAME", name);
        env.forEach((key, value) -> line.addAll(List.of("-e",
                key.equals(ExecutorTokens.ENVIRONMENT_VARIABLE) ? key : key + "=" + value)));
        line.addAll(List.of("-v", run.sandbox.toAbsolutePath() + ":" + CONTAINER_SANDBOX));
        if (!command.hasShell() || command.getShell()) {
            line.addAll(List.of("--entrypoint", "/bin/sh", info.getImage(), "-c", command.getValue()));
        } else {
            line.add(info.getImage());
            if (command.hasValue()) {
                line.add(command.getValue());
            }
            line.addAll(command.getArgumentsList());
        }
        return line;
    }

    /**
     * shell=true runs the value under /bin/sh -c; shell=false execs the value with the arguments. The JDK cannot
     * set argv[0] apart from the program, so arguments[0] is dropped and the program path is argv[0].
     */
    static List<String> commandLine(CommandInfo command) {
        List<String> line = new ArrayList<>();
        if (!command.hasShell() || command.getShell()) {
            line.add("/bin/sh");
            line.add("-c");
            line.add(command.getValue());
        } else {
            line.add(command.getValue());
            List<String> arguments = command.getArgumentsList();
            if (arguments.size() > 1) {
                line.addAll(arguments.subList(1, arguments.size()));
            }
        }
        return line;
    }

    /** The agent's own environment, then the MESOS_* / LIBPROCESS_* variables, then the command's. */
    Map<String, String> environment(ExecutorRun run) {
        Map<String, String> env = new LinkedHashMap<>(agentEnvironment);
        env.putAll(mesosVariables(run));
        for (Environment.Variable variable : run.info.getCommand().getEnvironment().getVariablesList()) {
            if (variable.getType() != Environment.Variable.Type.SECRET) {
                env.put(variable.getName(), variable.getValue());
            }
        }
        return env;
    }

    private Map<String, String> mesosVariables(ExecutorRun run) {
        Map<String, String> env = new LinkedHashMap<>();
        String sandbox = run.sandbox.toString();
        env.put("LIBPROCESS_IP", "127.0.0.1");
        env.put("LIBPROCESS_PORT", "0");
        env.put("MESOS_AGENT_ENDPOINT", "127.0.0.1:" + ctx.agentPort());
        // This agent lives in the Maven JVM and recovers nothing, so it tells every executor what a Mesos agent tells
        // those of a framework without checkpointing: once the agent is gone nobody will take it back, so it ends
        // (Mesos's executor library shuts down on disconnection then), killing its build, instead of retrying a dead
        // agent for MESOS_RECOVERY_TIMEOUT and pushing after Maven was killed.
        env.put("MESOS_CHECKPOINT", "0");
        env.put("MESOS_DIRECTORY", sandbox);
        env.put("MESOS_EXECUTOR_ID", run.id());
        env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", NodeContext.mesosDuration(shutdownGracePeriod(run)));
        env.put("MESOS_FRAMEWORK_ID", run.frameworkId);
        env.put("MESOS_HTTP_COMMAND_EXECUTOR", "0");
        env.put("MESOS_SANDBOX", sandbox);
        env.put("MESOS_SLAVE_ID", ctx.agentId());
        env.put("MESOS_SLAVE_PID", ctx.agentPid());
        if (run.token != null) {
            env.put(ExecutorTokens.ENVIRONMENT_VARIABLE, run.token.reveal());
        }
        return env;
    }

    java.time.Duration shutdownGracePeriod(ExecutorRun run) {
        if (run.info.hasShutdownGracePeriod()) {
            return java.time.Duration.ofNanos(run.info.getShutdownGracePeriod().getNanoseconds());
        }
        return ctx.config().executorShutdownGracePeriod();
    }
}
