package dev.portainer.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutorSettingsTest {
    private final Map<String, String> env = new HashMap<>(Map.of(
            "MESOS_AGENT_ENDPOINT", "127.0.0.1:5051",
            "MESOS_FRAMEWORK_ID", "fw",
            "MESOS_EXECUTOR_ID", "ex"));

    @Test
    void usesTheAgentsRecoveryTimeoutAndBackoffWhenCheckpointingSetsThem() throws Exception {
        env.put("MESOS_CHECKPOINT", "1");
        env.put("MESOS_RECOVERY_TIMEOUT", "3mins");
        env.put("MESOS_SUBSCRIPTION_BACKOFF_MAX", "250ms");
        env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5secs");
        ExecutorSettings s = ExecutorSettings.fromEnvironment(env, Path.of("/cwd"));
        assertEquals(Duration.ofMinutes(3), s.recoveryTimeout());
        assertEquals(Duration.ofMillis(250), s.backoffMax());
        assertEquals(Duration.ofSeconds(5), s.shutdownGrace());
    }

    @Test
    void checkpointingDefaultsToFifteenMinutesOfRecoveryConfigurableByPortainerVariable() throws Exception {
        env.put("MESOS_CHECKPOINT", "1");
        assertEquals(Duration.ofMinutes(15), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).recoveryTimeout());
        env.put("PORTAINER_RECOVERY_TIMEOUT", "30secs");
        assertEquals(Duration.ofSeconds(30), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).recoveryTimeout());
    }

    @Test
    void withoutCheckpointingALostAgentIsNotWaitedFor() throws Exception {
        // What a real agent gives a framework that does not checkpoint, and the embedded agent gives every executor.
        env.put("MESOS_CHECKPOINT", "0");
        assertEquals(Duration.ZERO, ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).recoveryTimeout());
        env.remove("MESOS_CHECKPOINT");
        env.put("MESOS_RECOVERY_TIMEOUT", "15mins"); // not the agent's: it sets this only for checkpointing
        assertEquals(Duration.ZERO, ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).recoveryTimeout());
        env.put("PORTAINER_RECOVERY_TIMEOUT", "30secs");
        assertEquals(Duration.ofSeconds(30), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).recoveryTimeout());
    }

    @Test
    void sandboxIsMesosSandboxElseMesosDirectoryElseTheWorkingDirectory() throws Exception {
        assertEquals(Path.of("/cwd"), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).sandbox());
        env.put("MESOS_DIRECTORY", "/host/sandbox");
        assertEquals(Path.of("/host/sandbox"), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).sandbox());
        env.put("MESOS_SANDBOX", "/mnt/mesos/sandbox");
        assertEquals(Path.of("/mnt/mesos/sandbox"), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).sandbox());
    }

    @Test
    void runsSeveralTasksOnlyWhenTheSchedulerSaysSoAndThenStaysIdleForTheTimeItGives() throws Exception {
        ExecutorSettings one = ExecutorSettings.fromEnvironment(env, Path.of("/cwd"));
        assertFalse(one.severalTasks());
        env.put("PORTAINER_EXECUTOR_IDLE_SECONDS", "5");
        assertFalse(ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).severalTasks(), "the idle time alone");
        env.remove("PORTAINER_EXECUTOR_IDLE_SECONDS");
        env.put("PORTAINER_SEVERAL_TASKS", "1");
        ExecutorSettings several = ExecutorSettings.fromEnvironment(env, Path.of("/cwd"));
        assertTrue(several.severalTasks());
        assertEquals(Duration.ofSeconds(60), several.idleTimeout());
        env.put("PORTAINER_EXECUTOR_IDLE_SECONDS", "0.25");
        assertEquals(Duration.ofMillis(250), ExecutorSettings.fromEnvironment(env, Path.of("/cwd")).idleTimeout());
        env.put("PORTAINER_EXECUTOR_IDLE_SECONDS", "1min");
        String message = assertThrows(ExecutorSettings.InvalidEnvironmentException.class,
                () -> ExecutorSettings.fromEnvironment(env, Path.of("/cwd"))).getMessage();
        assertTrue(message.contains("PORTAINER_EXECUTOR_IDLE_SECONDS='1min' is not a number of seconds"), message);
    }

    @Test
    void namesEveryBadVariable() {
        env.put("MESOS_AGENT_ENDPOINT", "http://agent:5051/");
        env.put("MESOS_CHECKPOINT", "1");
        env.put("MESOS_RECOVERY_TIMEOUT", "soon");
        env.remove("MESOS_EXECUTOR_ID");
        String message = assertThrows(ExecutorSettings.InvalidEnvironmentException.class,
                () -> ExecutorSettings.fromEnvironment(env, Path.of("/cwd"))).getMessage();
        assertTrue(message.contains("MESOS_AGENT_ENDPOINT='http://agent:5051/' is not host:port"), message);
        assertTrue(message.contains("MESOS_RECOVERY_TIMEOUT"), message);
        assertTrue(message.contains("MESOS_EXECUTOR_ID is not set"), message);
    }
}
