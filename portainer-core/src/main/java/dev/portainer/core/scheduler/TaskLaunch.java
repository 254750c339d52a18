package dev.portainer.core.scheduler;

import com.google.protobuf.ByteString;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;

/** Builds the LAUNCH operation of a build task with its Portainer executor, from an offer's allocation. */
final class TaskLaunch {
    private TaskLaunch() {
    }

    static Offer.Operation operation(BuildTask task, Offer offer, OfferMatcher.Allocation allocation,
                                     FrameworkID frameworkId, TaskID taskId, ExecutorID executorId) {
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
        ExecutorInfo.Builder executor = ExecutorInfo.newBuilder()
                .setType(ExecutorInfo.Type.CUSTOM)
                .setExecutorId(executorId)
                .setFrameworkId(frameworkId)
                .setName("Portainer executor for " + task.name())
                .setCommand(command)
                .addAllResources(allocation.executor());
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
        TaskInfo info = TaskInfo.newBuilder()
                .setName(task.name())
                .setTaskId(taskId)
                .setAgentId(offer.getAgentId())
                .addAllResources(allocation.task())
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
