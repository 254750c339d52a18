package dev.portainer.executor;

import dev.portainer.executor.agent.AgentClient;
import dev.portainer.executor.build.ImageBuilds;
import dev.portainer.executor.docker.DockerImageBuilds;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Entry point of the executor jar, started by the Mesos agent as {@code java -jar portainer-executor.jar} in the
 * task's sandbox. Exit codes: 0 done (terminal update acknowledged), 1 gave up (agent lost or refused us),
 * 2 not started by an agent (environment incomplete).
 */
public final class ExecutorMain {
    /** Exit code when the environment is not an agent's: nothing was attempted. */
    public static final int EXIT_BAD_ENVIRONMENT = 2;

    private ExecutorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Mesos 1.11's generated classes predate protobuf 3.22; this keeps protobuf from warning about them.
        System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
        if (args.length == 1 && ClassDataWarmUp.FLAG.equals(args[0])) {
            System.exit(ClassDataWarmUp.run());
        }
        // UTF-8 whatever the agent's locale: the scheduler reads this file back to recover lost log lines, and an
        // ASCII default (LANG unset) would turn every non-ASCII character into '?'.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // docker-java's class loading (~0.2 s) overlaps the subscription instead of delaying the first log line.
        Thread warmUp = new Thread(() -> DockerImageBuilds.warmUp(System.getenv("DOCKER_HOST")),
                "docker-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        int code = run(System.getenv(), Path.of("").toAbsolutePath(), out, System.err, DockerImageBuilds::new);
        out.flush();
        // docker-java and the HTTP client keep non-daemon threads; the executor's life ends here.
        System.exit(code);
    }

    /**
     * Runs the executor against the environment given, rather than the process's, so tests can drive it.
     *
     * @param builds makes the image builder from the agent's {@code DOCKER_HOST} (null when unset)
     * @return the process exit code
     */
    public static int run(Map<String, String> env, Path workingDirectory, PrintStream out, PrintStream err,
                          Function<String, ImageBuilds> builds) throws InterruptedException {
        ExecutorSettings settings;
        try {
            settings = ExecutorSettings.fromEnvironment(env, workingDirectory);
        } catch (ExecutorSettings.InvalidEnvironmentException e) {
            err.println("portainer-executor: " + e.getMessage());
            return EXIT_BAD_ENVIRONMENT;
        }
        AgentClient agent = new AgentClient(settings.agentEndpoint(), settings.agentTls());
        ExecutorLoop loop = new ExecutorLoop(settings, agent, builds.apply(settings.dockerHost()),
                Clock.systemUTC(), UUID::randomUUID, out);
        return loop.run();
    }
}
