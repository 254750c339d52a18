package dev.portainer.core.staging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * The Hadoop configuration for staging: core-site.xml and hdfs-site.xml from the configured directory or
 * {@code HADOOP_CONF_DIR}, then the pom's properties on top, as the {@code hadoop} command would see it.
 */
final class HadoopConf {
    static final String[] FILES = {"core-site.xml", "hdfs-site.xml"};

    private HadoopConf() {
    }

    static Configuration load(HadoopStaging settings, Map<String, String> environment) throws IOException {
        Configuration conf = new Configuration();
        Path dir = settings.confDir();
        String source = "hadoopConfDir";
        if (dir == null && environment.get("HADOOP_CONF_DIR") != null && !environment.get("HADOOP_CONF_DIR")
                .isBlank()) {
            dir = Path.of(environment.get("HADOOP_CONF_DIR"));
            source = "HADOOP_CONF_DIR";
        }
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new IOException(source + " " + dir + " is not a directory; point it at the directory that"
                        + " holds core-site.xml and hdfs-site.xml");
            }
            for (String name : FILES) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file)) {
                    conf.addResource(new org.apache.hadoop.fs.Path(file.toUri()));
                }
            }
        }
        settings.properties().forEach(conf::set);
        if (FetchUris.kerberos(conf)) {
            // UGI reads the authentication method once, from its own default configuration, which inside Maven
            // has no core-site.xml: tell it, so that it logs in from the user's Kerberos ticket cache.
            UserGroupInformation.setConfiguration(conf);
        }
        return conf;
    }
}
