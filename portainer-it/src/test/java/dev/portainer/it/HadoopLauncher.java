package dev.portainer.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A {@code bin/hadoop} for the agents' fetcher that runs Hadoop's real FsShell from the shaded client jars of this
 * test's classpath, as {@code hadoop fs …} does; it records every call so that tests can tell it was used.
 */
final class HadoopLauncher {
    private final Path home;

    private HadoopLauncher(Path home) {
        this.home = home;
    }

    static HadoopLauncher create(Path home) throws IOException {
        // Failsafe runs tests from a manifest-only jar; the real classpath is in this property.
        String classpath = Arrays.stream(System.getProperty("surefire.test.class.path",
                        System.getProperty("java.class.path")).split(File.pathSeparator))
                .filter(entry -> entry.contains("hadoop-client-api") || entry.contains("hadoop-client-runtime")
                        || entry.contains("slf4j-api") || entry.contains("commons-logging"))
                .collect(Collectors.joining(File.pathSeparator));
        if (!classpath.contains("hadoop-client-api") || !classpath.contains("hadoop-client-runtime")) {
            throw new IllegalStateException("the Hadoop client jars are not on the test classpath: " + classpath);
        }
        // Like a Hadoop install, the configuration directory is on the classpath: FsShell insists on a core-site.xml.
        Path conf = Files.createDirectories(home.resolve("etc/hadoop"));
        Files.writeString(conf.resolve("core-site.xml"), "<?xml version=\"1.0\"?>\n<configuration/>\n");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String script = "#!/bin/sh\n"
                + "echo \"$*\" >> '" + home.resolve("calls.log") + "'\n"
                + "[ \"$1\" = fs ] && shift\n"
                + "exec '" + java + "' -Xmx256m -cp '" + conf + File.pathSeparator + classpath + "' org.apache.hadoop.fs.FsShell \"$@\"\n";
        Path hadoop = Files.writeString(bin.resolve("hadoop"), script);
        Files.setPosixFilePermissions(hadoop, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new HadoopLauncher(home);
    }

    /** For HADOOP_HOME: the fetcher runs {@code $HADOOP_HOME/bin/hadoop}. */
    Path home() {
        return home;
    }

    /** Each call's arguments, one line per call. */
    String calls() throws IOException {
        Path log = home.resolve("calls.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
