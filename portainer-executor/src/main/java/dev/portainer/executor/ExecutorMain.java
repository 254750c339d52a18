package dev.portainer.executor;

import dev.portainer.wire.ExecutorContract;

import dev.portainer.executor.agent.AgentClient;
import dev.portainer.executor.build.ImageBuilds;
import dev.portainer.executor.docker.DockerImageBuilds;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Entry point of the executor jar, started by the Mesos agent as {@code java -jar portainer-executor.jar} in the
 * task's sandbox. Exit codes: 0 done (terminal update acknowledged; for an executor of several tasks, no task left
 * for the idle time, or SHUTDOWN), 1 gave up (agent lost or refused us), 2 not started by an agent (environment
 * incomplete).
 */
public final class ExecutorMain {
    /** Exit code when the environment is not an agent's: nothing was attempted. */
    public static final int EXIT_BAD_ENVIRONMENT = 2;
    /** The argument that starts an executor ahead of its launch: see {@link #standBy}. */
    public static final String STANDBY_FLAG = ExecutorContract.STANDBY_FLAG;

    private ExecutorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Mesos 1.11's generated classes predate protobuf 3.22; this keeps protobuf from warning about them.
        System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
        if (args.length == 1 && ClassDataWarmUp.FLAG.equals(args[0])) {
            System.exit(ClassDataWarmUp.run());
        }
        if (args.length == 1 && STANDBY_FLAG.equals(args[0])) {
            System.exit(standBy(System.in));
        }
        // UTF-8 whatever the agent's locale: the scheduler reads this file back to recover lost log lines, and an
        // ASCII default (LANG unset) would turn every non-ASCII character into '?'.
        // Buffered, without autoflush: the event loop flushes it whenever it is idle and before anything it printed
        // can be asked for (a line's frame, a status update), so a build that prints a million lines does not pay a
        // write(2) each.
        PrintStream out = sandboxStream(new FileOutputStream(FileDescriptor.out));
        // docker-java's class loading (~0.2 s) overlaps the subscription instead of delaying the first log line.
        Thread warmUp = new Thread(() -> DockerImageBuilds.warmUp(System.getenv("DOCKER_HOST")),
                "docker-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        // On a real agent, the first executor of this jar makes the class-data archive the next ones start from.
        Optional<String> given = AgentClassData.given();
        given.ifPresent(archive -> out.println("portainer-executor: started with the class-data archive " + archive));
        AgentClassData classData = AgentClassData.start(System.getenv(), given, Path.of("").toAbsolutePath(), out);
        int code = run(System.getenv(), Path.of("").toAbsolutePath(), out, System.err, DockerImageBuilds::new);
        out.flush();
        classData.finish(AgentClassData.budget(System.getenv()));
        out.flush();
        // docker-java and the HTTP client keep non-daemon threads; the executor's life ends here.
        System.exit(code);
    }

    /**
     * {@code --standby}: an executor started by the embedded agent before its task exists. It loads and initialises
     * what a build needs, then waits for the agent to hand it its launch on standard input: the environment the
     * agent would have started it with, as {@code NAME=value} entries each ended by a NUL byte, then end of input.
     * From then on it is that executor, with its standard output and error in the sandbox's {@code stdout} and
     * {@code stderr} ({@code MESOS_SANDBOX}). End of input without a launch (the agent stopped, the Maven JVM
     * exited) ends it with 0.
     */
    static int standBy(InputStream launch) throws InterruptedException {
        ClassDataWarmUp.run();
        Map<String, String> env;
        try {
            env = readLaunch(launch);
        } catch (IOException e) {
            return EXIT_BAD_ENVIRONMENT;
        }
        if (env.isEmpty()) {
            return 0;
        }
        String sandbox = env.get("MESOS_SANDBOX");
        if (sandbox == null || sandbox.isEmpty()) {
            System.err.println("portainer-executor: the launch handed to this standby executor has no MESOS_SANDBOX");
            return EXIT_BAD_ENVIRONMENT;
        }
        Path directory = Path.of(sandbox);
        PrintStream out;
        PrintStream err;
        try {
            out = sandboxStream(new FileOutputStream(directory.resolve("stdout").toFile(), true));
            err = new PrintStream(new FileOutputStream(directory.resolve("stderr").toFile(), true), true,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("portainer-executor: cannot write to the sandbox " + directory + ": " + e.getMessage());
            return EXIT_BAD_ENVIRONMENT;
        }
        System.setOut(out);
        System.setErr(err);
        int code = run(env, directory, out, err, DockerImageBuilds::new);
        out.flush();
        return code;
    }

    /** The executor's stdout in the sandbox: UTF-8, buffered, flushed by the event loop (see {@link ExecutorLoop}). */
    static PrintStream sandboxStream(FileOutputStream file) {
        return new PrintStream(new BufferedOutputStream(file, 64 * 1024), false, StandardCharsets.UTF_8);
    }

    /** The NUL-ended {@code NAME=value} entries of a standby's launch, in order; empty when there were none. */
    static Map<String, String> readLaunch(InputStream in) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (String entry : all.split("\0")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return env;
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
        AgentClient agent = new AgentClient(settings.agentEndpoint(), settings.agentTls(),
                settings.authenticationToken());
        ExecutorLoop loop = new ExecutorLoop(settings, agent, builds.apply(settings.dockerHost()),
                Clock.systemUTC(), UUID::randomUUID, out);
        return loop.run();
    }
}
