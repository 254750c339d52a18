package dev.portainer.local.agent;

import dev.portainer.local.NodeContext;
import org.apache.mesos.v1.Protos.CommandInfo;
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

/** Fetches an executor's URIs into its sandbox and starts its command, as the Mesos containerizer does. */
final class ExecutorLauncher {
    private final NodeContext ctx;
    private final Map<String, String> agentEnvironment;
    private final Fetcher fetcher;

    ExecutorLauncher(NodeContext ctx, Map<String, String> agentEnvironment, Fetcher fetcher) {
        this.ctx = ctx;
        this.agentEnvironment = agentEnvironment;
        this.fetcher = fetcher;
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
                fetcher.fetchAll(command.getUrisList(), run.sandbox, log);
            }
        }
        ProcessBuilder builder = new ProcessBuilder(commandLine(command))
                .directory(run.sandbox.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr));
        builder.environment().clear();
        builder.environment().putAll(environment(run));
        return ProcessTree.start(builder);
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
        String sandbox = run.sandbox.toString();
        env.put("LIBPROCESS_IP", "127.0.0.1");
        env.put("LIBPROCESS_PORT", "0");
        env.put("MESOS_AGENT_ENDPOINT", "127.0.0.1:" + ctx.agentPort());
        env.put("MESOS_CHECKPOINT", run.framework.getCheckpoint() ? "1" : "0");
        env.put("MESOS_DIRECTORY", sandbox);
        env.put("MESOS_EXECUTOR_ID", run.id());
        env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", NodeContext.mesosDuration(shutdownGracePeriod(run)));
        env.put("MESOS_FRAMEWORK_ID", run.frameworkId);
        env.put("MESOS_HTTP_COMMAND_EXECUTOR", "0");
        env.put("MESOS_SANDBOX", sandbox);
        env.put("MESOS_SLAVE_ID", ctx.agentId());
        env.put("MESOS_SLAVE_PID", ctx.agentPid());
        for (Environment.Variable variable : run.info.getCommand().getEnvironment().getVariablesList()) {
            if (variable.getType() != Environment.Variable.Type.SECRET) {
                env.put(variable.getName(), variable.getValue());
            }
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
