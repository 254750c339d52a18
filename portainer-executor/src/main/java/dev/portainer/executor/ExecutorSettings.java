package dev.portainer.executor;

import dev.portainer.wire.ExecutorContract;
import dev.portainer.wire.auth.Secret;
import dev.portainer.executor.agent.MesosDuration;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the executor learns from the environment the agent starts it in.
 *
 * @param agentEndpoint      {@code host:port} of the agent ({@code MESOS_AGENT_ENDPOINT})
 * @param agentTls           whether the agent speaks HTTPS ({@code LIBPROCESS_SSL_ENABLED})
 * @param frameworkId        {@code MESOS_FRAMEWORK_ID}
 * @param executorId         {@code MESOS_EXECUTOR_ID}
 * @param sandbox            {@code MESOS_SANDBOX}, else {@code MESOS_DIRECTORY}, else the working directory
 * @param recoveryTimeout    how long to keep re-subscribing after losing the agent: when the framework checkpoints
 *                           ({@code MESOS_CHECKPOINT=1}) the agent may restart and take its executors back, so
 *                           {@code MESOS_RECOVERY_TIMEOUT}, else 15 minutes (the agent's default); otherwise zero,
 *                           as Mesos's executor library shuts down on losing a non-checkpointing agent (nobody would
 *                           recover the executor, and the embedded agent dies with Maven).
 *                           {@code PORTAINER_RECOVERY_TIMEOUT} stands in for an unset {@code MESOS_RECOVERY_TIMEOUT}
 *                           in either case.
 * @param backoffMax         the longest pause between two SUBSCRIBE attempts ({@code MESOS_SUBSCRIPTION_BACKOFF_MAX},
 *                           else 2 seconds, the agent's default {@code --executor_reregistration_timeout})
 * @param shutdownGrace      how long the agent waits after SHUTDOWN before killing us
 *                           ({@code MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD}, else 5 seconds)
 * @param terminalAckTimeout how long to wait, while subscribed, for the terminal update's acknowledgement before
 *                           exiting anyway ({@code PORTAINER_ACK_TIMEOUT}, else 2 minutes)
 * @param killGrace          how long a killed build may take to stop before TASK_KILLED is sent regardless
 * @param dockerHost         the agent's {@code DOCKER_HOST}, or null
 * @param authenticationToken what to send as {@code Authorization: Bearer} on every executor API call
 *                           ({@code MESOS_EXECUTOR_AUTHENTICATION_TOKEN}, set by an agent that authenticates
 *                           executors), or null
 * @param severalTasks       whether this executor may be given several tasks while it runs
 *                           ({@link ExecutorContract#SEVERAL_TASKS_ENV} is {@code "1"}); else it runs the one task it
 *                           is launched with and exits
 * @param idleTimeout        with {@code severalTasks}: how long it stays with no task left before exiting on its own
 *                           ({@link ExecutorContract#IDLE_ENV}, in seconds, else
 *                           {@link ExecutorContract#DEFAULT_IDLE_SECONDS}); zero for an executor of one task
 */
public record ExecutorSettings(String agentEndpoint, boolean agentTls, String frameworkId, String executorId,
                               Path sandbox, Duration recoveryTimeout, Duration backoffMax, Duration shutdownGrace,
                               Duration terminalAckTimeout, Duration killGrace, String dockerHost,
                               Secret authenticationToken, boolean severalTasks, Duration idleTimeout) {
    /** The variable in which an agent started with {@code --authenticate_http_executors} puts the token. */
    public static final String AUTHENTICATION_TOKEN = "MESOS_EXECUTOR_AUTHENTICATION_TOKEN";

    /** The settings of an executor of one task. */
    public ExecutorSettings(String agentEndpoint, boolean agentTls, String frameworkId, String executorId,
                            Path sandbox, Duration recoveryTimeout, Duration backoffMax, Duration shutdownGrace,
                            Duration terminalAckTimeout, Duration killGrace, String dockerHost,
                            Secret authenticationToken) {
        this(agentEndpoint, agentTls, frameworkId, executorId, sandbox, recoveryTimeout, backoffMax, shutdownGrace,
                terminalAckTimeout, killGrace, dockerHost, authenticationToken, false, Duration.ZERO);
    }

    /** These settings for an executor of several tasks that exits once it has had none for {@code idle}. */
    public ExecutorSettings withSeveralTasks(Duration idle) {
        return new ExecutorSettings(agentEndpoint, agentTls, frameworkId, executorId, sandbox, recoveryTimeout,
                backoffMax, shutdownGrace, terminalAckTimeout, killGrace, dockerHost, authenticationToken, true, idle);
    }

    /** The environment is incomplete or malformed: the executor was not started by a Mesos agent as expected. */
    public static final class InvalidEnvironmentException extends Exception {
        public InvalidEnvironmentException(String message) {
            super(message);
        }
    }

    /**
     * Reads the settings from an executor's environment.
     *
     * @param workingDirectory the sandbox to assume when the agent named none (it starts executors in the sandbox)
     * @throws InvalidEnvironmentException naming every missing or malformed variable
     */
    public static ExecutorSettings fromEnvironment(Map<String, String> env, Path workingDirectory)
            throws InvalidEnvironmentException {
        List<String> problems = new ArrayList<>();
        String agent = required(env, "MESOS_AGENT_ENDPOINT", problems);
        String framework = required(env, "MESOS_FRAMEWORK_ID", problems);
        String executor = required(env, "MESOS_EXECUTOR_ID", problems);
        if (agent != null && !agent.matches("\\[?[^\\s/]+]?:\\d{1,5}")) {
            problems.add("MESOS_AGENT_ENDPOINT='" + agent + "' is not host:port");
        }
        String sandboxDir = firstSet(env, "MESOS_SANDBOX", "MESOS_DIRECTORY");
        Path sandbox = sandboxDir != null ? Path.of(sandboxDir) : workingDirectory;
        // Mesos's executor library reads MESOS_RECOVERY_TIMEOUT only when checkpointing, and agents set it only then.
        Duration recovery = "1".equals(blankToNull(env.get("MESOS_CHECKPOINT")))
                ? duration(env, problems, Duration.ofMinutes(15), "MESOS_RECOVERY_TIMEOUT", "PORTAINER_RECOVERY_TIMEOUT")
                : duration(env, problems, Duration.ZERO, "PORTAINER_RECOVERY_TIMEOUT");
        Duration backoff = duration(env, problems, Duration.ofSeconds(2), "MESOS_SUBSCRIPTION_BACKOFF_MAX");
        Duration grace = duration(env, problems, Duration.ofSeconds(5), "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD");
        Duration ack = duration(env, problems, Duration.ofMinutes(2), "PORTAINER_ACK_TIMEOUT");
        boolean several = "1".equals(blankToNull(env.get(ExecutorContract.SEVERAL_TASKS_ENV)));
        Duration idle = several ? seconds(env, problems, ExecutorContract.IDLE_ENV,
                Duration.ofSeconds(ExecutorContract.DEFAULT_IDLE_SECONDS)) : Duration.ZERO;
        if (!problems.isEmpty()) {
            throw new InvalidEnvironmentException("The Portainer executor must be started by a Mesos agent, which sets "
                    + "its environment; here: " + String.join("; ", problems)
                    + ". (It is launched by the Portainer Maven plugin as a Mesos custom executor, not run by hand.)");
        }
        String token = blankToNull(env.get(AUTHENTICATION_TOKEN));
        boolean tls = "true".equalsIgnoreCase(env.get("LIBPROCESS_SSL_ENABLED")) || "1".equals(env.get("LIBPROCESS_SSL_ENABLED"));
        return new ExecutorSettings(agent, tls, framework, executor, sandbox, recovery, backoff, grace, ack,
                Duration.ofSeconds(5), blankToNull(env.get("DOCKER_HOST")), token == null ? null : Secret.of(token),
                several, idle);
    }

    private static String required(Map<String, String> env, String name, List<String> problems) {
        String value = blankToNull(env.get(name));
        if (value == null) {
            problems.add(name + " is not set");
        }
        return value;
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = blankToNull(env.get(name));
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Duration duration(Map<String, String> env, List<String> problems, Duration fallback,
                                     String... names) {
        for (String name : names) {
            String value = blankToNull(env.get(name));
            if (value != null) {
                try {
                    return MesosDuration.parse(value);
                } catch (IllegalArgumentException e) {
                    problems.add(name + ": " + e.getMessage());
                    return fallback;
                }
            }
        }
        return fallback;
    }

    /** A decimal number of seconds ({@code 60}, {@code 0.5}), as the scheduler writes {@link ExecutorContract#IDLE_ENV}. */
    private static Duration seconds(Map<String, String> env, List<String> problems, String name, Duration fallback) {
        String value = blankToNull(env.get(name));
        if (value == null) {
            return fallback;
        }
        try {
            BigDecimal seconds = new BigDecimal(value);
            if (seconds.signum() < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            problems.add(name + "='" + value + "' is not a number of seconds such as 60 or 0.5");
            return fallback;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
