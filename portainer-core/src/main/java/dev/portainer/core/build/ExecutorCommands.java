package dev.portainer.core.build;

import dev.portainer.wire.ExecutorContract;

import java.util.ArrayList;
import java.util.List;

/**
 * How agents start the Portainer executor: its file names in the sandbox, the resources it asks for itself, and its
 * command line on a real agent, in a container, and on the embedded agent.
 */
final class ExecutorCommands {
    static final String CONTEXT_FILE = "context.tar.gz";
    static final String EXECUTOR_FILE = ExecutorContract.EXECUTOR_FILE;
    static final String CREDENTIALS_FILE = ExecutorContract.CREDENTIALS_FILE;
    /** What the executor JVM itself asks for, on top of the build's own cpus and memory. */
    static final double EXECUTOR_CPUS = 0.1;
    static final double EXECUTOR_MEM_MB = 192;
    /**
     * Starts the executor with the agent's Java; small heap and quick start-up flags, because it only streams.
     * The sandbox is the working directory, where the fetcher put the jar.
     */
    static final String EXECUTOR_COMMAND = "exec \"${JAVA_HOME:+$JAVA_HOME/bin/}java\" "
            + ExecutorClassData.JAVA_OPTIONS + " -jar " + EXECUTOR_FILE;
    /**
     * In a container the working directory is the image's, not the sandbox: Mesos's Docker containerizer mounts the
     * sandbox at {@code $MESOS_SANDBOX} (/mnt/mesos/sandbox) and runs the command with {@code /bin/sh -c}.
     */
    static final String CONTAINER_EXECUTOR_COMMAND = "cd \"$MESOS_SANDBOX\" && " + EXECUTOR_COMMAND;

    private ExecutorCommands() {
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

    /** {@code value} as one word for {@code sh -c}. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
