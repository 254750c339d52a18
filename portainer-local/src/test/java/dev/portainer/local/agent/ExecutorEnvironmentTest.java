package dev.portainer.local.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portainer.local.LocalMesosConfig;
import dev.portainer.local.NodeContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorEnvironmentTest {
    @TempDir
    Path work;

    @Test
    void everyExecutorIsToldThatNoAgentWillRecoverItEvenIfItsFrameworkCheckpoints() {
        // The agent dies with the Maven JVM: an executor waiting MESOS_RECOVERY_TIMEOUT for it would build and push
        // for nobody. MESOS_CHECKPOINT=0 makes it end with its agent, as Mesos's executor library does.
        NodeContext ctx = new NodeContext("master-1", "127.0.0.1", 5050, 5051, work,
                LocalMesosConfig.builder().cpus(1).memMb(512).diskMb(10).build(), null, Clock.systemUTC());
        ExecutorLauncher launcher = new ExecutorLauncher(ctx, Map.of("PATH", "/usr/bin"), null);
        FrameworkInfo checkpointing = FrameworkInfo.newBuilder().setUser("u").setName("n").setCheckpoint(true).build();
        ExecutorRun run = new ExecutorRun("fw-1", checkpointing, ExecutorInfo.newBuilder()
                .setExecutorId(ExecutorID.newBuilder().setValue("ex-1"))
                .setCommand(CommandInfo.newBuilder().setValue("true")).build(), "c-1", work.resolve("sandbox"));

        Map<String, String> env = launcher.environment(run);

        assertEquals("0", env.get("MESOS_CHECKPOINT"));
        assertFalse(env.containsKey("MESOS_RECOVERY_TIMEOUT"), "a real agent sets it only for checkpointing");
        assertEquals("127.0.0.1:5051", env.get("MESOS_AGENT_ENDPOINT"));
    }
}
