package dev.portainer.core.build;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import dev.portainer.core.scheduler.AgentConstraint;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.staging.HadoopStaging;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What every image of one run shares: the cluster and how to get in, how the framework registers and waits, where
 * files are staged, how Docker is reached on the agents, and where the results go. What belongs to one image is in
 * {@link ImageSpec}; a run builds one or more of them in one framework.
 *
 * @param mesosMaster        {@code local}, {@code host:port}, {@code http(s)://host:port} or {@code zk://…}
 * @param mesosAccess        authentication and TLS trust for the master
 * @param framework          how the run registers with Mesos
 * @param offerTimeout       how long to wait for an offer that fits
 * @param timeout            how long each attempt of a build may run from its launch before its task is killed
 *                           (default {@link SchedulerConfig#DEFAULT_BUILD_TIMEOUT}: nothing waits forever)
 * @param retries            how many times a task the cluster failed before the build could run is relaunched
 * @param constraints        attributes an agent must have to host a build
 * @param failFast           stop the other builds as soon as one fails, rather than letting them finish
 * @param hadoopStaging      where to stage on a Hadoop filesystem, or null to serve the files from this JVM
 * @param stagingPort        the port this JVM serves the files on for a remote master (the next free one of the 16
 *                           from it if it is taken), or 0 for any free port
 * @param push               push every tag after the build
 * @param dockerHost         the Docker daemon the executor uses on the agent, or null for the agent's default
 * @param pullRegistry       registry {@code host[:port]} that base images without a registry host come from, or null
 * @param containerImage     image to run the executor in, with its own {@code dockerd}; null: the agent's daemon
 * @param insecureRegistries registries reached over plain HTTP, given to the executor's own daemon
 * @param workDirectory      where the run writes its files and results (target/portainer)
 * @param executorJar        the self-contained executor jar to stage (and its hash, when known)
 * @param reproducibleTime   the time every entry of the packed contexts gets, or null to send each file's own (what
 *                           {@code docker build} does)
 */
public record RunSettings(String mesosMaster, MesosAccess mesosAccess, FrameworkSettings framework,
                          Duration offerTimeout, Duration timeout, int retries, List<AgentConstraint> constraints,
                          boolean failFast, HadoopStaging hadoopStaging, int stagingPort, boolean push,
                          String dockerHost,
                          String pullRegistry, String containerImage, List<String> insecureRegistries,
                          Path workDirectory, ExecutorJarFile executorJar, Instant reproducibleTime) {
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+])(?::[0-9]+)?(?:/[a-z0-9._-]+)*");

    public RunSettings {
        Objects.requireNonNull(mesosMaster, "mesosMaster");
        Objects.requireNonNull(mesosAccess, "mesosAccess");
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(offerTimeout, "offerTimeout");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new InvalidSettingException(Message.of("timeout must be positive (got ", timeout, "); fix ",
                    Setting.TIMEOUT, ", or leave it unset for the default of ",
                    SchedulerConfig.DEFAULT_BUILD_TIMEOUT.toHours(), " hours"));
        }
        if (retries < 0) {
            throw new InvalidSettingException(Message.of("retries must be 0 or more (got ", retries, "); fix ",
                    Setting.RETRIES));
        }
        if (stagingPort < 0 || stagingPort > 65535) {
            throw new InvalidSettingException(Message.of("stagingPort must be a TCP port, 1 to 65535, or 0 for any"
                    + " free port (got ", stagingPort, "); fix ", Setting.STAGING_PORT));
        }
        constraints = List.copyOf(constraints);
        pullRegistry = pullRegistry(pullRegistry);
        containerImage = containerImage == null || containerImage.isBlank() ? null : containerImage.trim();
        insecureRegistries = insecureRegistries == null ? List.of()
                : insecureRegistries.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        Objects.requireNonNull(workDirectory, "workDirectory");
        Objects.requireNonNull(executorJar, "executorJar");
    }

    /**
     * A pull registry as given, checked and trimmed ({@code host[:port]}, optionally with a path prefix); null for
     * none.
     */
    public static String pullRegistry(String given) {
        if (given == null || given.isBlank()) {
            return null;
        }
        // a trailing slash is a common slip; a scheme is not part of an image reference
        String registry = given.trim().replaceAll("/+$", "");
        if (!REGISTRY.matcher(registry).matches()) {
            throw new InvalidSettingException(Message.of("Invalid pullRegistry '", registry, "': give host[:port]"
                    + " (optionally with a path prefix), without http://, e.g. mirror.example.com:5000; fix ",
                    Setting.PULL_REGISTRY));
        }
        return registry;
    }

    /** Whether the run uses the embedded single-node Mesos in this JVM. */
    public boolean localMaster() {
        return "local".equals(mesosMaster);
    }

    /** Starts settings with every value at its default; the work directory and executor jar must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds the settings field by field, so that adding a setting does not touch every caller. */
    public static final class Builder {
        private String mesosMaster = "local";
        private MesosAccess mesosAccess = MesosAccess.NONE;
        private FrameworkSettings framework = new FrameworkSettings("portainer", System.getProperty("user.name"), "*",
                SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT);
        private Duration offerTimeout = Duration.ofMinutes(5);
        private Duration timeout = SchedulerConfig.DEFAULT_BUILD_TIMEOUT;
        private int retries = SchedulerConfig.DEFAULT_RETRIES;
        private List<AgentConstraint> constraints = List.of();
        private boolean failFast;
        private HadoopStaging hadoopStaging;
        private int stagingPort;
        private boolean push = true;
        private String dockerHost;
        private String pullRegistry;
        private String containerImage;
        private List<String> insecureRegistries = List.of();
        private Path workDirectory;
        private ExecutorJarFile executorJar;
        private Instant reproducibleTime;

        private Builder() {
        }

        public Builder mesosMaster(String value) {
            mesosMaster = value;
            return this;
        }

        public Builder mesosAccess(MesosAccess value) {
            mesosAccess = value;
            return this;
        }

        public Builder framework(FrameworkSettings value) {
            framework = value;
            return this;
        }

        public Builder offerTimeout(Duration value) {
            offerTimeout = value;
            return this;
        }

        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public Builder retries(int value) {
            retries = value;
            return this;
        }

        public Builder constraints(List<AgentConstraint> value) {
            constraints = value;
            return this;
        }

        public Builder failFast(boolean value) {
            failFast = value;
            return this;
        }

        /** Stage on a Hadoop filesystem; null: serve the files from this JVM. */
        public Builder hadoopStaging(HadoopStaging value) {
            hadoopStaging = value;
            return this;
        }

        public Builder stagingPort(int value) {
            stagingPort = value;
            return this;
        }

        public Builder push(boolean value) {
            push = value;
            return this;
        }

        public Builder dockerHost(String value) {
            dockerHost = value;
            return this;
        }

        public Builder pullRegistry(String value) {
            pullRegistry = value;
            return this;
        }

        /** Docker-in-Docker: the executor's image, and the registries its own daemon reaches over plain HTTP. */
        public Builder containerImage(String image, List<String> insecure) {
            containerImage = image;
            insecureRegistries = insecure;
            return this;
        }

        public Builder work(Path directory, Path executor) {
            return work(directory, new ExecutorJarFile(executor, null));
        }

        public Builder work(Path directory, ExecutorJarFile executor) {
            workDirectory = directory;
            executorJar = executor;
            return this;
        }

        /** Pack every context with all times set to this instant instead of the files' own; null: their own. */
        public Builder reproducible(Instant time) {
            reproducibleTime = time;
            return this;
        }

        public RunSettings build() {
            return new RunSettings(mesosMaster, mesosAccess, framework, offerTimeout, timeout, retries, constraints,
                    failFast, hadoopStaging, stagingPort, push, dockerHost, pullRegistry, containerImage, insecureRegistries,
                    workDirectory, executorJar, reproducibleTime);
        }
    }
}
