package dev.portainer.core.config;

/**
 * What a user configures, as core names it. Core's messages name a setting with a {@link Message} part; the front end
 * (the Maven plugin) says through {@link Suggestions} how its users set it, e.g. {@code <buildCpu>
 * (portainer.buildCpu)}.
 */
public enum Setting {
    MESOS_MASTER("mesosMaster"),
    MESOS_CA_CERTIFICATE("mesosCaCertificate"),
    PRINCIPAL("principal"),
    MESOS_SERVER_ID("mesosServerId"),
    /** The framework's principal and secret, as a whole. */
    MESOS_CREDENTIAL("mesosCredential"),
    IMAGE("image"),
    IMAGES("images"),
    TAGS("tags"),
    CONTEXT_DIRECTORY("contextDirectory"),
    DOCKERFILE("dockerfile"),
    FILTER_DOCKERFILE("filterDockerfile"),
    BUILD_CPU("buildCpu"),
    BUILD_MEM("buildMem"),
    BUILD_ARGS("buildArgs"),
    LABELS("labels"),
    EXTRA_HOSTS("extraHosts"),
    SHM_SIZE("shmSize"),
    PLATFORM("platform"),
    PULL_REGISTRY("pullRegistry"),
    STAGING_URI("stagingUri"),
    STAGING_PORT("stagingPort"),
    HADOOP_CONF_DIR("hadoopConfDir"),
    FETCH_URI_BASE("fetchUriBase"),
    OFFER_TIMEOUT("offerTimeout"),
    TIMEOUT("timeout"),
    FAILOVER_TIMEOUT("failoverTimeout"),
    RETRIES("retries"),
    CONSTRAINTS("constraints"),
    REPRODUCIBLE("reproducible"),
    CONTAINER_IMAGE("containerImage"),
    /** Where extra libraries (a Hadoop filesystem such as hadoop-aws) are added to Portainer's classpath. */
    PLUGIN_CLASSPATH("classpath");

    private final String key;

    Setting(String key) {
        this.key = key;
    }

    /** Core's name of the setting, e.g. {@code buildCpu}. */
    public String key() {
        return key;
    }

    /** A message part that names the setting briefly ({@code <buildCpu>} in Maven), where saying how to set it reads badly. */
    public Name named() {
        return new Name(this);
    }

    /** A setting named briefly in a message; see {@link #named()}. */
    public record Name(Setting setting) {
    }
}
