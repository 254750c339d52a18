package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.staging.MiniHdfs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.junit.jupiter.api.Test;

/**
 * portainer:build staged on a real HDFS (a mini cluster in this JVM): once fetched by the agent with
 * {@code hadoop fs -copyToLocal} (Hadoop's own FsShell), once over WebHDFS; the image works, the build directory is
 * gone, and the executor jar stays and is not uploaded again.
 */
class HdfsStagingIT {

    @Test
    void buildsStagedOnHdfsFetchedWithHadoopThenOverWebHdfs() throws Exception {
        String image = MavenRun.REGISTRY + "/it/hdfs-" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Path.of(System.getProperty("portainer.it.work"));
        HadoopLauncher hadoop = HadoopLauncher.create(Files.createDirectories(work.resolve("hadoop-"
                + UUID.randomUUID().toString().substring(0, 8))));
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            DistributedFileSystem fs = hdfs.fs();
            URI root = hdfs.uri().resolve("/user/portainer/staging");
            org.apache.hadoop.fs.Path builds = new org.apache.hadoop.fs.Path(root.getPath(), "builds");
            org.apache.hadoop.fs.Path executors = new org.apache.hadoop.fs.Path(root.getPath(), "executors");
            Map<String, String> env = Map.of("HADOOP_HOME", hadoop.home().toString());

            Path first = MavenRun.copyExample("hello-world");
            MavenRun.Outcome viaHadoop = MavenRun.run(first, env, "package", "portainer:build",
                    "-Dportainer.image=" + image, "-Dportainer.push=false", "-Dportainer.stagingUri=" + root,
                    "-Dportainer.fetchUriBase=hadoop");
            assertTrue(viaHadoop.succeeded(), viaHadoop.output());
            assertTrue(hadoop.calls().matches("(?s)fs -copyToLocal " + root + "/executors/[0-9a-f]{64}\\.jar .*"
                    + "fs -copyToLocal " + root + "/builds/[0-9a-f]{32}/context\\.tar\\.gz .*"), hadoop.calls());
            // Hadoop's start-up chatter stays out of the Maven log, and so does its shutdown hook's stack trace.
            assertFalse(viaHadoop.output().contains("native-hadoop"), viaHadoop.output());
            assertFalse(viaHadoop.output().contains("NoClassDefFoundError"), viaHadoop.output());
            assertTrue(Docker.ok("run", "--rm", image + ":latest").contains(
                    "Hello from an image built on Mesos by Portainer!"));
            assertEquals(0, fs.listStatus(builds).length, "the build directory is removed");
            FileStatus[] jars = fs.listStatus(executors);
            assertEquals(1, jars.length, "the executor jar stays");
            ItChecks.assertNothingLeftBehind(viaHadoop);

            String callsBefore = hadoop.calls();
            Path second = MavenRun.copyExample("hello-world");
            MavenRun.Outcome viaWebHdfs = MavenRun.run(second, env, "package", "portainer:build",
                    "-Dportainer.image=" + image, "-Dportainer.push=false", "-Dportainer.stagingUri=" + root,
                    "-Dportainer.fetchUriBase=http://" + hdfs.httpAddress());
            assertTrue(viaWebHdfs.succeeded(), viaWebHdfs.output());
            assertEquals(callsBefore, hadoop.calls(), "the agent fetched over WebHDFS, not with hadoop");
            assertTrue(viaWebHdfs.output().contains("Executor jar already staged at " + jars[0].getPath()
                    + ", not uploading it again"), viaWebHdfs.output());
            FileStatus jarAfter = fs.getFileStatus(jars[0].getPath());
            assertEquals(jars[0].getModificationTime(), jarAfter.getModificationTime(), "jar not rewritten");
            assertEquals(jars[0].getLen(), jarAfter.getLen());
            assertEquals(0, fs.listStatus(builds).length, "the build directory is removed");
            assertTrue(Docker.ok("run", "--rm", image + ":latest").contains(
                    "Hello from an image built on Mesos by Portainer!"));
            ItChecks.assertNothingLeftBehind(viaWebHdfs);
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
    }
}
