package dev.portainer.core.build;

import dev.portainer.core.scheduler.AgentConstraint;
import dev.portainer.core.auth.RegistryAuth;
import dev.portainer.core.dockerfile.PreparedDockerfile;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one image build needs, read once from the pom, properties and settings, then immutable.
 *
 * @param contextDirectory the Docker build context
 * @param dockerfile       the Dockerfile: a path relative to the context, '/'-separated, or an absolute path (as
 *                         {@link dev.portainer.core.context.DockerfileLocation#find} found it), inside the context
 *                         or not
 * @param image            the repository to build and push
 * @param tags             the tags, validated; the first is the one built
 * @param push             push every tag after the build
 * @param buildCpu         cpus the build task asks Mesos for
 * @param buildMemMb       memory in MB the build task asks Mesos for
 * @param mesosMaster      {@code local}, {@code host:port} or {@code http(s)://host:port}
 * @param stagingUri       a Hadoop filesystem URI to stage on, or null to serve files from this JVM
 * @param hadoopProperties extra Hadoop configuration for staging
 * @param dockerHost       the Docker daemon the executor uses on the agent, or null for the agent's default
 * @param workDirectory    where the build writes its files and results (target/portainer)
 * @param executorJar      the self-contained executor jar to stage (and its hash, when known)
 * @param framework        how the build registers with Mesos
 * @param offerTimeout     how long to wait for an offer that fits
 * @param timeout          how long each attempt of the build may run from its launch before its task is killed
 *                         (default {@code SchedulerConfig.DEFAULT_BUILD_TIMEOUT}: nothing waits forever)
 * @param constraints      attributes an agent must have to host the build
 * @param docker           build options, pull registry, Docker-in-Docker
 * @param credentials      registry credentials for the push and the base images' pulls
 * @param hadoopConfDir    a directory with core-site.xml/hdfs-site.xml for staging, or null for HADOOP_CONF_DIR
 * @param fetchUriBase     how agents fetch files staged on a Hadoop filesystem: null/{@code auto}, {@code hadoop}
 *                         or a WebHDFS {@code http(s)://host:port} (see {@code HadoopStaging})
 * @param retries          how many times a task the cluster failed before the build could run is relaunched
 * @param mesosAccess      authentication and TLS trust for the master
 * @param reproducibleTime the time every entry of the packed context gets, or null to send each file's own (what
 *                         {@code docker build} does)
 * @param prepared         the Dockerfile as read once for this build (see {@link PreparedDockerfile}), or null to
 *                         read it when the context is packed
 */
public record BuildRequest(Path contextDirectory, String dockerfile, ImageRef image, List<String> tags, boolean push,
                           double buildCpu, double buildMemMb, String mesosMaster, URI stagingUri,
                           Map<String, String> hadoopProperties, String dockerHost, Path workDirectory,
                           ExecutorJarFile executorJar, FrameworkSettings framework, Duration offerTimeout,
                           Duration timeout, List<AgentConstraint> constraints, DockerSettings docker,
                           RegistryAuth credentials, Path hadoopConfDir, String fetchUriBase, int retries,
                           MesosAccess mesosAccess, java.time.Instant reproducibleTime,
                           PreparedDockerfile prepared) {
    public BuildRequest {
        Objects.requireNonNull(contextDirectory, "contextDirectory");
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(image, "image");
        tags = ImageRef.validTags(tags);
        if (!(buildCpu > 0) || Double.isInfinite(buildCpu)) {
            throw new IllegalArgumentException("buildCpu must be a number of CPUs more than 0 (got " + buildCpu
                    + "); fix <buildCpu> (portainer.buildCpu)");
        }
        if (!(buildMemMb >= 32) || Double.isInfinite(buildMemMb)) {
            throw new IllegalArgumentException("buildMem must be a number of MB, at least 32 (got " + buildMemMb
                    + "); fix <buildMem> (portainer.buildMem)");
        }
        Objects.requireNonNull(mesosMaster, "mesosMaster");
        hadoopProperties = Map.copyOf(hadoopProperties);
        Objects.requireNonNull(workDirectory, "workDirectory");
        Objects.requireNonNull(executorJar, "executorJar");
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(offerTimeout, "offerTimeout");
        constraints = List.copyOf(constraints);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more (got " + retries + "); fix <retries> "
                    + "(portainer.retries)");
        }
        Objects.requireNonNull(mesosAccess, "mesosAccess");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive (got " + timeout + "); fix <timeout> "
                    + "(portainer.timeout), or leave it unset for the default of "
                    + dev.portainer.core.scheduler.SchedulerConfig.DEFAULT_BUILD_TIMEOUT.toHours() + " hours");
        }
        docker = docker == null ? DockerSettings.DEFAULTS : docker;
        credentials = credentials == null ? RegistryAuth.NONE : credentials;
    }

    /** Whether the build runs on the embedded single-node Mesos in this JVM. */
    public boolean localMaster() {
        return "local".equals(mesosMaster);
    }

    /** The reference of the first tag, e.g. {@code 127.0.0.1:5000/team/app:1.0}. */
    public String primaryReference() {
        return image.name() + ":" + tags.get(0);
    }

    /**
     * Starts a request for the context, image and tags given, with every other setting at its default; the work
     * directory and executor jar must be set before {@link Builder#build()}.
     */
    public static Builder builder(Path contextDirectory, ImageRef image, List<String> tags) {
        return new Builder(contextDirectory, image, tags);
    }

    /** Builds a request field by field, so that adding a setting does not touch every caller. */
    public static final class Builder {
        private final Path contextDirectory;
        private final ImageRef image;
        private final List<String> tags;
        private String dockerfile = "Dockerfile";
        private boolean push = true;
        private double buildCpu = 1;
        private double buildMemMb = 512;
        private String mesosMaster = "local";
        private URI stagingUri;
        private Map<String, String> hadoopProperties = Map.of();
        private String dockerHost;
        private Path workDirectory;
        private ExecutorJarFile executorJar;
        private FrameworkSettings framework = new FrameworkSettings("portainer", System.getProperty("user.name"), "*",
                dev.portainer.core.scheduler.SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT);
        private Duration offerTimeout = Duration.ofMinutes(5);
        private Duration timeout = dev.portainer.core.scheduler.SchedulerConfig.DEFAULT_BUILD_TIMEOUT;
        private List<AgentConstraint> constraints = List.of();
        private DockerSettings docker = DockerSettings.DEFAULTS;
        private RegistryAuth credentials = RegistryAuth.NONE;
        private Path hadoopConfDir;
        private String fetchUriBase;
        private int retries = dev.portainer.core.scheduler.SchedulerConfig.DEFAULT_RETRIES;
        private MesosAccess mesosAccess = MesosAccess.NONE;
        private java.time.Instant reproducibleTime;
        private PreparedDockerfile prepared;

        private Builder(Path contextDirectory, ImageRef image, List<String> tags) {
            this.contextDirectory = contextDirectory;
            this.image = image;
            this.tags = tags;
        }

        public Builder dockerfile(String value) {
            dockerfile = value;
            return this;
        }

        /** The Dockerfile already read and prepared for this build: packing sends what it says. */
        public Builder prepared(PreparedDockerfile value) {
            prepared = value;
            return this;
        }

        public Builder push(boolean value) {
            push = value;
            return this;
        }

        public Builder resources(double cpus, double memMb) {
            buildCpu = cpus;
            buildMemMb = memMb;
            return this;
        }

        public Builder mesosMaster(String value) {
            mesosMaster = value;
            return this;
        }

        public Builder staging(URI uri, Map<String, String> properties) {
            stagingUri = uri;
            hadoopProperties = properties;
            return this;
        }

        public Builder dockerHost(String value) {
            dockerHost = value;
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

        public Builder constraints(List<AgentConstraint> value) {
            constraints = value;
            return this;
        }

        public Builder docker(DockerSettings value) {
            docker = value;
            return this;
        }

        public Builder credentials(RegistryAuth value) {
            credentials = value;
            return this;
        }

        /** Hadoop staging: the configuration directory (null: HADOOP_CONF_DIR) and how agents fetch. */
        public Builder hadoop(Path confDir, String fetchBase) {
            hadoopConfDir = confDir;
            fetchUriBase = fetchBase;
            return this;
        }

        public Builder retries(int value) {
            retries = value;
            return this;
        }

        public Builder mesosAccess(MesosAccess value) {
            mesosAccess = value;
            return this;
        }

        /** Pack the context with every time set to this instant instead of the files' own; null: their own. */
        public Builder reproducible(java.time.Instant time) {
            reproducibleTime = time;
            return this;
        }

        public BuildRequest build() {
            return new BuildRequest(contextDirectory, dockerfile, image, tags, push, buildCpu, buildMemMb, mesosMaster,
                    stagingUri, hadoopProperties, dockerHost, workDirectory, executorJar, framework, offerTimeout,
                    timeout, constraints, docker, credentials, hadoopConfDir, fetchUriBase, retries,
                    mesosAccess, reproducibleTime, prepared);
        }
    }
}
