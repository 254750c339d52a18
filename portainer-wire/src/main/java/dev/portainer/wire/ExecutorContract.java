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

    private ExecutorContract() {
    }
}
