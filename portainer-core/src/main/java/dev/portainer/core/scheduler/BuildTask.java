package dev.portainer.core.scheduler;

import dev.portainer.wire.BuildSpec;
import java.util.Objects;

/**
 * One image build to run on Mesos: what to build ({@link BuildSpec}, sent in {@code TaskInfo.data}), the resources the
 * build needs, and how to start the executor that runs it.
 *
 * @param name     a human name, shown in Mesos and in log lines (e.g. the image name)
 * @param spec     the executor's instructions
 * @param cpus     cpus for the build task (the executor's own come on top)
 * @param memMb    memory in MB for the build task
 * @param executor how to start the executor
 * @param agent    the host name of the only agent the task may run on, or null for any: a push of an image built
 *                 earlier must run where the image is, in that agent's Docker daemon
 */
public record BuildTask(String name, BuildSpec spec, double cpus, double memMb, ExecutorLaunch executor,
                        String agent) {
    /** A task that may run on any agent that fits. */
    public BuildTask(String name, BuildSpec spec, double cpus, double memMb, ExecutorLaunch executor) {
        this(name, spec, cpus, memMb, executor, null);
    }

    public BuildTask {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a build task needs a name");
        }
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(executor, "executor");
        if (!(cpus > 0) || !(memMb > 0)) {
            throw new IllegalArgumentException("a build task needs positive cpus and memory, got cpus=" + cpus
                    + " memMb=" + memMb);
        }
    }

    /** This task, to run on the agent of host name {@code hostname} only. */
    public BuildTask onAgent(String hostname) {
        if (hostname == null || hostname.isBlank()) {
            throw new IllegalArgumentException("an agent's host name must not be empty");
        }
        return new BuildTask(name, spec, cpus, memMb, executor, hostname);
    }

    /** Whether the task may run on the agent of host name {@code hostname}. */
    public boolean mayRunOn(String hostname) {
        return agent == null || agent.equals(hostname);
    }

    /** cpus the offer must have: the task's plus the executor's. */
    public double totalCpus() {
        return cpus + executor.cpus();
    }

    /** Memory in MB the offer must have: the task's plus the executor's. */
    public double totalMemMb() {
        return memMb + executor.memMb();
    }
}
