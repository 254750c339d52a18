package dev.portainer.core.build;

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
 * @param dockerfile       the Dockerfile's path relative to the context, '/'-separated
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
 * @param executorJar      the self-contained executor jar to stage
 * @param framework        how the build registers with Mesos
 * @param offerTimeout     how long to wait for an offer that fits
 * @param hadoopConfDir    a directory with core-site.xml/hdfs-site.xml for staging, or null for HADOOP_CONF_DIR
 * @param fetchUriBase     how agents fetch files staged on a Hadoop filesystem: null/{@code auto}, {@code hadoop}
 *                         or a WebHDFS {@code http(s)://host:port} (see {@code HadoopStaging})
 */
public record BuildRequest(Path contextDirectory, String dockerfile, ImageRef image, List<String> tags, boolean push,
                           double buildCpu, double buildMemMb, String mesosMaster, URI stagingUri,
                           Map<String, String> hadoopProperties, String dockerHost, Path workDirectory,
                           Path executorJar, FrameworkSettings framework, Duration offerTimeout,
                           Path hadoopConfDir, String fetchUriBase) {
    public BuildRequest {
        Objects.requireNonNull(contextDirectory, "contextDirectory");
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(image, "image");
        tags = ImageRef.validTags(tags);
        if (!(buildCpu > 0)) {
            throw new IllegalArgumentException("buildCpu must be more than 0 (got " + buildCpu
                    + "); fix <buildCpu> (portainer.buildCpu)");
        }
        if (!(buildMemMb >= 32)) {
            throw new IllegalArgumentException("buildMem must be at least 32 MB (got " + buildMemMb
                    + "); fix <buildMem> (portainer.buildMem)");
        }
        Objects.requireNonNull(mesosMaster, "mesosMaster");
        hadoopProperties = Map.copyOf(hadoopProperties);
        Objects.requireNonNull(workDirectory, "workDirectory");
        Objects.requireNonNull(executorJar, "executorJar");
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(offerTimeout, "offerTimeout");
    }

    /** A request with the Hadoop configuration from HADOOP_CONF_DIR and the fetch URIs chosen automatically. */
    public BuildRequest(Path contextDirectory, String dockerfile, ImageRef image, List<String> tags, boolean push,
                        double buildCpu, double buildMemMb, String mesosMaster, URI stagingUri,
                        Map<String, String> hadoopProperties, String dockerHost, Path workDirectory,
                        Path executorJar, FrameworkSettings framework, Duration offerTimeout) {
        this(contextDirectory, dockerfile, image, tags, push, buildCpu, buildMemMb, mesosMaster, stagingUri,
                hadoopProperties, dockerHost, workDirectory, executorJar, framework, offerTimeout, null, null);
    }

    /** Whether the build runs on the embedded single-node Mesos in this JVM. */
    public boolean localMaster() {
        return "local".equals(mesosMaster);
    }

    /** The reference of the first tag, e.g. {@code 127.0.0.1:5000/team/app:1.0}. */
    public String primaryReference() {
        return image.name() + ":" + tags.get(0);
    }
}
