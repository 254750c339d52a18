package dev.portainer.executor;

import dev.portainer.wire.ExecutorContract;

import com.google.protobuf.ByteString;
import dev.portainer.wire.mesos.RecordIo;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskResult;
import dev.portainer.executor.agent.AgentClient;
import dev.portainer.executor.build.ContextFromUri;
import dev.portainer.wire.GrowingContext;
import dev.portainer.executor.docker.DockerImageBuilds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.AgentInfo;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;

/**
 * {@code java -jar portainer-executor.jar --warm-up}: loads the classes a build needs, from the agent's events to
 * docker-java's commands, without an agent or a Docker daemon, then exits 0. Run with
 * {@code -XX:ArchiveClassesAtExit}, it makes the class-data-sharing archive that the embedded agent's executors start
 * from (the plugin's {@code ExecutorClassData}); anything left out here is simply loaded from the jar as usual.
 */
final class ClassDataWarmUp {
    static final String FLAG = ExecutorContract.WARM_UP_FLAG;

    private ClassDataWarmUp() {
    }

    static int run() {
        DockerImageBuilds.warmUp(System.getenv("DOCKER_HOST"));
        try {
            BuildSpec spec = BuildSpec.fromBytes(BuildSpec.of("registry:5000/warm/up", List.of("1"), "Dockerfile",
                    "context.tar.gz", true, null).toBytes());
            Event launch = Event.newBuilder().setType(Event.Type.LAUNCH).setLaunch(Event.Launch.newBuilder()
                    .setTask(TaskInfo.newBuilder().setName("warm-up").setTaskId(TaskID.newBuilder().setValue("t"))
                            .setAgentId(AgentID.newBuilder().setValue("a"))
                            .setData(ByteString.copyFrom(spec.toBytes())))).build();
            Event subscribed = Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(
                    Event.Subscribed.newBuilder().setAgentInfo(AgentInfo.newBuilder().setHostname("localhost"))
                            .setExecutorInfo(org.apache.mesos.v1.Protos.ExecutorInfo.newBuilder()
                                    .setExecutorId(ExecutorID.newBuilder().setValue("e")))
                            .setFrameworkInfo(org.apache.mesos.v1.Protos.FrameworkInfo.newBuilder().setUser("u")
                                    .setName("n"))
                            .setContainerId(org.apache.mesos.v1.Protos.ContainerID.newBuilder().setValue("c")))
                    .build();
            // A context read in place, and one still being packed: the embedded agent's changed contexts.
            Path growing = Path.of("").toAbsolutePath().resolve("warm-up-context.tar");
            ContextFromUri.contextPath(spec.withGrowingContext(growing), growing.getParent());
            GrowingContext.open(growing, () -> true).close();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            RecordIo.write(stream, subscribed.toByteArray());
            RecordIo.write(stream, launch.toByteArray());
            ByteArrayInputStream in = new ByteArrayInputStream(stream.toByteArray());
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                Event.parseFrom(record);
            }
            TaskResult result = TaskResult.fromBytes(TaskResult.pushed("sha256:0", Map.of("1", "sha256:0"),
                    List.of("1"), 1, 1).toBytes());
            Call update = Call.newBuilder().setType(Call.Type.UPDATE)
                    .setFrameworkId(FrameworkID.newBuilder().setValue("f"))
                    .setExecutorId(ExecutorID.newBuilder().setValue("e"))
                    .setUpdate(Call.Update.newBuilder().setStatus(TaskStatus.newBuilder()
                            .setTaskId(TaskID.newBuilder().setValue("t")).setState(TaskState.TASK_FINISHED)
                            .setUuid(ByteString.copyFromUtf8(UUID.randomUUID().toString()))
                            .setData(ByteString.copyFrom(result.toBytes()))))
                    .build();
            Call message = update.toBuilder().setType(Call.Type.MESSAGE).clearUpdate()
                    .setMessage(Call.Message.newBuilder().setData(ByteString.copyFrom(LogFrame.fromBytes(
                            LogFrame.of(1, "Step 1/1 : FROM scratch").toBytes()).toBytes()))).build();
            ExecutorSettings.fromEnvironment(Map.of("MESOS_AGENT_ENDPOINT", "127.0.0.1:1", "MESOS_FRAMEWORK_ID", "f",
                    "MESOS_EXECUTOR_ID", "e"), Path.of("").toAbsolutePath());
            AgentClient agent = new AgentClient("127.0.0.1:1", false);
            for (Call call : List.of(update, message)) {
                try {
                    agent.call(call);
                } catch (IOException expected) {
                    // nothing listens on port 1: the HTTP classes are loaded all the same
                }
            }
        } catch (IOException | RuntimeException | ExecutorSettings.InvalidEnvironmentException e) {
            System.err.println("portainer-executor: warm-up incomplete: " + e);
        }
        return 0;
    }
}
