package dev.portainer.wire;

/**
 * How the scheduler starts the executor, which both sides must agree on: the names of the files the Mesos fetcher
 * puts in the sandbox and the executor's command-line flags.
 */
public final class ExecutorContract {
    /** The executor jar in the sandbox. */
    public static final String EXECUTOR_FILE = "portainer-executor.jar";
    /** The sealed registry credentials, when they are fetched rather than served once over HTTP. */
    public static final String CREDENTIALS_FILE = "credentials.sealed";
    /** Start ahead of the launch and wait on standard input for the launch's environment (embedded agent only). */
    public static final String STANDBY_FLAG = "--standby";
    /** Load the classes a build needs and exit, to make a class-data archive. */
    public static final String WARM_UP_FLAG = "--warm-up";

    /**
     * In the executor's environment ({@code CommandInfo.environment}), with the value {@code "1"}: this executor may
     * be given several tasks, one LAUNCH at a time, while it runs, and stays until the agent shuts it down (the
     * scheduler's TEARDOWN, or its SHUTDOWN of this executor) or it has had no task for {@link #IDLE_ENV} seconds.
     * Each task keeps its build log in {@link ExecutorStdout#taskFile} and its frames name it
     * ({@link LogFrame#taskId}); its context comes by {@link BuildSpec#contextUri}, since Mesos fetches an executor's
     * URIs only when it starts. Unset: the executor runs the one task it is launched with and exits.
     */
    public static final String SEVERAL_TASKS_ENV = "PORTAINER_SEVERAL_TASKS";
    /**
     * With {@link #SEVERAL_TASKS_ENV}: how many seconds an executor with no task left waits for another before it
     * exits on its own (a decimal number; default {@link #DEFAULT_IDLE_SECONDS}). A safety net: the scheduler ends its
     * executors itself.
     */
    public static final String IDLE_ENV = "PORTAINER_EXECUTOR_IDLE_SECONDS";
    public static final long DEFAULT_IDLE_SECONDS = 60;
    /**
     * In the executor's environment on a real agent, set by its command when no class-data archive of this jar was
     * there to map: the absolute path, in a directory private to the executor's user, where the executor may make one
     * for the executors after it (a training JVM of {@link #WARM_UP_FLAG} next to its builds). Unset: make none.
     */
    public static final String CLASS_DATA_ENV = "PORTAINER_CLASS_DATA_ARCHIVE";
    /**
     * The modification time the command on a real agent gives the fetched jar before starting it ({@code touch -t},
     * UTC): a class-data archive records its jar's size and time, so one archive then fits every sandbox's copy of
     * the same (content-addressed) jar.
     */
    public static final String JAR_TIME = "200001010000";

    private ExecutorContract() {
    }
}
