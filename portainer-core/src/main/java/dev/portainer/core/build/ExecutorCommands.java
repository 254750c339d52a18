package dev.portainer.core.build;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.wire.ExecutorContract;

import java.util.ArrayList;
import java.util.List;

/**
 * How agents start the Portainer executor: its file names in the sandbox, the resources it asks for itself, and its
 * command line on a real agent, in a container, and on the embedded agent.
 */
final class ExecutorCommands {
    /** The context's name in the sandbox, without its extension ({@link #contextFile}). */
    static final String CONTEXT_NAME = "context";
    static final String EXECUTOR_FILE = ExecutorContract.EXECUTOR_FILE;
    static final String CREDENTIALS_FILE = ExecutorContract.CREDENTIALS_FILE;
    /** What the executor JVM itself asks for, on top of the build's own cpus and memory. */
    static final double EXECUTOR_CPUS = 0.1;
    static final double EXECUTOR_MEM_MB = 192;
    /** The agent's Java: {@code $JAVA_HOME/bin/java} when the agent's environment names one, else the PATH's. */
    private static final String AGENT_JAVA = "\"${JAVA_HOME:+$JAVA_HOME/bin/}java\"";
    /**
     * Starts the executor with the agent's Java; small heap and quick start-up flags, because it only streams.
     * The sandbox is the working directory, where the fetcher put the jar.
     */
    static final String EXECUTOR_COMMAND = "exec " + AGENT_JAVA + " " + ExecutorClassData.JAVA_OPTIONS + " -jar "
            + EXECUTOR_FILE;
    /**
     * In a container the working directory is the image's, not the sandbox: Mesos's Docker containerizer mounts the
     * sandbox at {@code $MESOS_SANDBOX} (/mnt/mesos/sandbox) and runs the command with {@code /bin/sh -c}.
     */
    static final String CONTAINER_EXECUTOR_COMMAND = "cd \"$MESOS_SANDBOX\" && " + EXECUTOR_COMMAND;
    /** Where, under the user's cache directory on an agent, the executors keep their class-data archives. */
    static final String AGENT_CLASS_DATA_DIRECTORY = "portainer/agent-class-data";

    private ExecutorCommands() {
    }

    /** The context's name in the sandbox: {@code context.tar} or {@code context.tar.gz}, never extracted. */
    static String contextFile(ContextFormat format) {
        return CONTEXT_NAME + format.extension();
    }

    /**
     * The embedded agent runs on this machine: the executor gets this JVM's own {@code java} (known to be a Java this
     * plugin runs on) and, once there is one, the class-data archive made for exactly that Java.
     */
    static String local(ExecutorClassData classData) {
        return "exec " + shellQuote(ExecutorClassData.java().toString()) + " " + classData.javaOptions()
                + ExecutorClassData.JAVA_OPTIONS + " -jar " + EXECUTOR_FILE;
    }

    /**
     * {@link #local} as the embedded agent starts it ahead of its launch: the same java, options and jar (linked into
     * the standby's directory as into a sandbox, which keeps the class-data archive valid), and {@code --standby}.
     */
    static List<String> localStandby(ExecutorClassData classData, ExecutorJarFile executor) {
        List<String> command = new ArrayList<>(List.of(ExecutorClassData.java().toString()));
        command.addAll(classData.javaArguments());
        command.addAll(List.of(ExecutorClassData.JAVA_OPTIONS.split(" ")));
        command.addAll(List.of("-jar", executor.jar().getFileName().toString(), ExecutorContract.STANDBY_FLAG));
        return command;
    }

    /**
     * {@link #EXECUTOR_COMMAND} on a real agent, where the executor's cold start (a fresh JVM parsing and verifying
     * protobuf, Jackson and docker-java from the jar: ~0.9 s of the ~1.3 s from launch to Docker's first line) is
     * the largest cost a build pays. It maps a class-data archive of exactly this jar ({@code executorSha}) when one
     * is there, and otherwise tells the executor where to make one ({@link ExecutorContract#CLASS_DATA_ENV}).
     *
     * <p>The archive is trusted by the JVM that maps it (its classes are not verified again), so it is only ever
     * looked for in a directory private to the executor's user: {@code $XDG_CACHE_HOME}, else {@code $HOME/.cache},
     * else {@code /var/tmp/portainer-class-data-<uid>}; both the directory and the archive must be the user's own
     * ({@code test -O}), and the executor makes the directory mode 0700 and refuses one that is not. The archive
     * records its jar's size and modification time, and each sandbox gets a new copy of the jar from the fetcher: the
     * command first sets that copy's time to {@link ExecutorContract#JAR_TIME} (and maps nothing if it cannot). A Java
     * other than the one that made the archive ignores it (as does a JVM that finds it damaged); the JVM's notes
     * about that are silenced so that nothing but the executor writes to its output.
     */
    static String remote(String executorSha) {
        if (executorSha == null || !executorSha.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + executorSha);
        }
        String archive = "executor-" + executorSha.substring(0, 16) + ".jsa";
        String run = ExecutorClassData.JAVA_OPTIONS + " -jar " + EXECUTOR_FILE;
        return "j=" + AGENT_JAVA + "; c=\"${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}\"; "
                + "d=\"${c:+$c/" + AGENT_CLASS_DATA_DIRECTORY + "}\"; "
                + "d=\"${d:-/var/tmp/portainer-class-data-$(id -u)}\"; a=\"$d/" + archive + "\"; "
                + "if TZ=UTC0 touch -c -t " + ExecutorContract.JAR_TIME + " " + EXECUTOR_FILE + " 2>/dev/null; then "
                + "if [ -O \"$d\" ] && [ -O \"$a\" ]; then exec \"$j\" -XX:SharedArchiveFile=\"$a\" -Xshare:auto "
                + "-Xlog:cds=off -Xlog:cds+dynamic=off " + run + "; fi; "
                + "export " + ExecutorContract.CLASS_DATA_ENV + "=\"$a\"; fi; "
                + "exec \"$j\" " + run;
    }

    /** {@code value} as one word for {@code sh -c}. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
