package dev.portainer.core.scheduler;

import com.google.protobuf.ByteString;
import dev.portainer.wire.ExecutorContract;
import java.util.List;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;

/** Builds the LAUNCH operation of a build task with its Portainer executor, from an offer's allocation. */
final class TaskLaunch {
    private TaskLaunch() {
    }

    /**
     * The executor of a build task with the given resources. For an executor that runs several tasks, every task
     * launched on it must carry this very ExecutorInfo: Mesos refuses a task whose ExecutorInfo differs from the
     * running executor's of the same id.
     */
    static ExecutorInfo executor(BuildTask task, List<Resource> resources,
                                 FrameworkID frameworkId, ExecutorID executorId) {
        CommandInfo.Builder command = CommandInfo.newBuilder()
                .setValue(task.executor().shellCommand())
                .setShell(true);
        for (FetchUri uri : task.executor().uris()) {
            CommandInfo.URI.Builder fetch = CommandInfo.URI.newBuilder()
                    .setValue(uri.uri())
                    .setExecutable(uri.executable())
                    .setExtract(uri.extract())
                    // Only what never changes under its URI: the fetcher cache is keyed by URI (and user), it
                    // outlives the build, and a one-off context would only cost the agent disk.
                    .setCache(uri.cache());
            if (uri.outputFile() != null) {
                fetch.setOutputFile(uri.outputFile());
            }
            command.addUris(fetch);
        }
        if (task.executor().severalTasks()) {
            command.setEnvironment(Environment.newBuilder()
                    .addVariables(Environment.Variable.newBuilder()
                            .setName(ExecutorContract.SEVERAL_TASKS_ENV).setValue("1")));
        }
        ExecutorInfo.Builder executor = ExecutorInfo.newBuilder()
                .setType(ExecutorInfo.Type.CUSTOM)
                .setExecutorId(executorId)
                .setFrameworkId(frameworkId)
                // Shared by the run's builds on the agent: named for none of them.
                .setName(task.executor().severalTasks() ? "Portainer executor" : "Portainer executor for " + task.name())
                .setCommand(command)
                .addAllResources(resources);
        if (task.executor().containerImage() != null) {
            // Docker-in-Docker: dockerd needs a privileged container; the host's network lets the executor reach
            // the agent and the staging server on the addresses the agent itself uses.
            executor.setContainer(ContainerInfo.newBuilder()
                    .setType(ContainerInfo.Type.DOCKER)
                    .setDocker(ContainerInfo.DockerInfo.newBuilder()
                            .setImage(task.executor().containerImage())
                            .setPrivileged(true)
                            .setNetwork(ContainerInfo.DockerInfo.Network.HOST)));
        }
        return executor.build();
    }

    /** The LAUNCH of a build task on {@code executor} with the task's own resources. */
    static Offer.Operation operation(BuildTask task, Offer offer, List<Resource>
            taskResources, ExecutorInfo executor, TaskID taskId) {
        TaskInfo info = TaskInfo.newBuilder()
                .setName(task.name())
                .setTaskId(taskId)
                .setAgentId(offer.getAgentId())
                .addAllResources(taskResources)
                // The spec travels in data, which /state never shows; the command and environment are public.
                .setData(ByteString.copyFrom(task.spec().toBytes()))
                .setExecutor(executor)
                .build();
        return Offer.Operation.newBuilder()
                .setType(Offer.Operation.Type.LAUNCH)
                .setLaunch(Offer.Operation.Launch.newBuilder().addTaskInfos(info))
                .build();
    }
}
