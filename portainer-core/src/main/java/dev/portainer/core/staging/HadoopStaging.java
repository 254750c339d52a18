package dev.portainer.core.staging;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to stage on a Hadoop filesystem.
 *
 * @param stagingUri   the staging root, e.g. {@code hdfs://namenode:8020/user/ci/portainer}
 * @param confDir      a Hadoop configuration directory (core-site.xml, hdfs-site.xml), or null for
 *                     {@code HADOOP_CONF_DIR}, or none
 * @param properties   Hadoop properties set on top of the configuration files
 * @param fetchUriBase how agents fetch: null or {@code auto} (WebHDFS for hdfs:// and webhdfs://, the staging
 *                     URI for other schemes), {@code hadoop} (always the staging URI: agents run
 *                     {@code hadoop fs -copyToLocal}), or an {@code http(s)://host:port} WebHDFS/HttpFS endpoint
 */
public record HadoopStaging(URI stagingUri, Path confDir, Map<String, String> properties, String fetchUriBase) {
    public HadoopStaging {
        Objects.requireNonNull(stagingUri, "stagingUri");
        properties = Map.copyOf(properties);
        fetchUriBase = fetchUriBase == null || fetchUriBase.isBlank() ? "auto" : fetchUriBase.trim();
    }
}
