package dev.portainer.core.scheduler;

import static dev.portainer.core.scheduler.FakeMesosMaster.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.BuildOptions;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.EphemeralDaemon;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskID;
import org.junit.jupiter.api.Test;

class TaskLaunchTest {
    private static final BuildSpec SPEC = BuildSpec.of("team/app", List.of("1"), "Dockerfile", "context.tar.gz",
            false, null);

    private static ExecutorInfo launch(String containerImage, BuildSpec spec) {
        return launch(containerImage, spec, List.of());
    }

    private static ExecutorInfo launch(String containerImage, BuildSpec spec, List<FetchUri> uris) {
        Offer offer = offer("O1", "S0", 2, 1024);
        BuildTask task = new BuildTask("team/app:1", spec, 1, 512, new ExecutorLaunch(uris, "java -jar x.jar",
                0.1, 32, containerImage));
        OfferMatcher.Allocation allocation = OfferMatcher.allocate(offer, "*", 1, 512, 0.1, 32).orElseThrow();
        Offer.Operation op = TaskLaunch.operation(task, offer, allocation.task(), TaskLaunch.executor(task,
                allocation.executor(), FrameworkID.newBuilder().setValue("F").build(),
                ExecutorID.newBuilder().setValue("E").build()), TaskID.newBuilder().setValue("T").build());
        return op.getLaunch().getTaskInfos(0).getExecutor();
    }

    @Test
    void aContainerImageRunsTheExecutorPrivilegedOnTheHostNetwork() {
        ExecutorInfo executor = launch("127.0.0.1:5000/portainer/dind:1", SPEC);
        assertTrue(executor.hasContainer());
        ContainerInfo container = executor.getContainer();
        assertEquals(ContainerInfo.Type.DOCKER, container.getType());
        assertEquals("127.0.0.1:5000/portainer/dind:1", container.getDocker().getImage());
        assertTrue(container.getDocker().getPrivileged());
        assertEquals(ContainerInfo.DockerInfo.Network.HOST, container.getDocker().getNetwork());
    }

    @Test
    void onlyAUriMarkedCacheableMayStayInTheAgentsFetcherCache() {
        ExecutorInfo executor = launch(null, SPEC, List.of(
                new FetchUri("hdfs://nn/portainer/executors/ab12.jar", "portainer-executor.jar", false, false, true),
                new FetchUri("hdfs://nn/portainer/builds/x/context.tar.gz", "context.tar.gz", false, false)));
        assertTrue(executor.getCommand().getUris(0).getCache(), "the content-addressed jar: fetched once per agent");
        assertFalse(executor.getCommand().getUris(1).getCache(), "the build's context: fetched for its task only");
    }

    @Test
    void withoutContainerImageTheExecutorRunsOnTheAgent() {
        assertFalse(launch(null, SPEC).hasContainer());
    }

    @Test
    void buildOptionsTravelInTaskDataAndOldSpecsReadWithDefaults() {
        // An empty build arg is a value ("--build-arg EMPTY="), which must arrive as "", not be dropped.
        BuildSpec spec = SPEC.with(new BuildOptions(Map.of("A", "1", "EMPTY", ""), "build", Map.of("l", "v"), true, true, "host",
                List.of("db:10.0.0.1"), 1024L, List.of("team/app:cache"), "linux/amd64"),
                new EphemeralDaemon(List.of("r:5000")));
        assertEquals(spec, BuildSpec.fromBytes(spec.toBytes()));
        assertEquals("", BuildSpec.fromBytes(spec.toBytes()).options().buildArgs().get("EMPTY"));
        // a spec without these optional fields (what a scheduler that never sets them sends)
        BuildSpec old = BuildSpec.fromBytes(("{\"v\":3,\"image\":\"a\",\"tags\":[\"1\"],\"dockerfile\":\"Dockerfile\","
                + "\"contextFile\":\"c.tar.gz\",\"push\":false}").getBytes());
        assertEquals(BuildOptions.NONE, old.options());
        assertEquals(null, old.ephemeralDaemon());
    }
}
