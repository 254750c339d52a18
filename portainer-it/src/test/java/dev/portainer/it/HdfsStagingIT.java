package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * portainer:build staged on a real HDFS (a mini cluster in this JVM): fetched by the agent over WebHDFS, which any
 * agent can (it is HTTP), or with {@code hadoop fs -copyToLocal}, which needs a Hadoop client on the agent (Mesos's
 * fetcher rule). The image works, the build directory is gone, and the executor jar stays and is not uploaded again.
 *
 * <p>The embedded agent is given Hadoop's own FsShell as its client ({@link HadoopLauncher}, through HADOOP_HOME); a
 * cluster's agents are taken to have one only when {@code -Dportainer.it.agentsHaveHadoop=true} says so.
 */
class HdfsStagingIT {
    private static final boolean LOCAL = MavenRun.MESOS_MASTER.equals("local");
    private static final boolean AGENTS_HAVE_HADOOP = LOCAL || Boolean.getBoolean("portainer.it.agentsHaveHadoop");

    @Test
    void buildsStagedOnHdfsFetchedOverWebHdfsAndTheExecutorJarIsStagedOnce() throws Exception {
        String image = MavenRun.REGISTRY + "/it/webhdfs-" + UUID.randomUUID().toString().substring(0, 8);
        // On local, the agent could fetch with hadoop: whether it did shows in the launcher's calls.
        HadoopLauncher hadoop = launcher();
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            DistributedFileSystem fs = hdfs.fs();
            URI root = hdfs.uri().resolve("/user/portainer/staging");
            org.apache.hadoop.fs.Path builds = new org.apache.hadoop.fs.Path(root.getPath(), "builds");
            org.apache.hadoop.fs.Path executors = new org.apache.hadoop.fs.Path(root.getPath(), "executors");
            Map<String, String> env = Map.of("HADOOP_HOME", hadoop.home().toString());
            String fetchUriBase = "-Dportainer.fetchUriBase=http://" + hdfs.httpAddress();

            Path first = MavenRun.copyExample("hello-world");
            MavenRun.Outcome firstBuild = MavenRun.run(first, env, "package", "portainer:build",
                    "-Dportainer.image=" + image, "-Dportainer.push=false", "-Dportainer.stagingUri=" + root,
                    fetchUriBase);
            assertTrue(firstBuild.succeeded(), firstBuild.output());
            if (LOCAL) {
                assertEquals("", hadoop.calls(), "the agent fetched over WebHDFS, not with hadoop");
            }
            assertFalse(firstBuild.output().contains("NoClassDefFoundError"), firstBuild.output());
            assertTrue(Docker.ok("run", "--rm", image + ":latest").contains(
                    "Hello from an image built on Mesos by Portainer!"));
            assertEquals(0, fs.listStatus(builds).length, "the build directory is removed");
            FileStatus[] jars = fs.listStatus(executors);
            assertEquals(1, jars.length, "the executor jar stays");
            ItChecks.assertNothingLeftBehind(firstBuild);

            Path second = MavenRun.copyExample("hello-world");
            MavenRun.Outcome secondBuild = MavenRun.run(second, env, "package", "portainer:build",
                    "-Dportainer.image=" + image, "-Dportainer.push=false", "-Dportainer.stagingUri=" + root,
                    fetchUriBase);
            assertTrue(secondBuild.succeeded(), secondBuild.output());
            assertTrue(secondBuild.output().contains("Executor jar already staged at " + jars[0].getPath()
                    + ", not uploading it again"), secondBuild.output());
            FileStatus jarAfter = fs.getFileStatus(jars[0].getPath());
            assertEquals(jars[0].getModificationTime(), jarAfter.getModificationTime(), "jar not rewritten");
            assertEquals(jars[0].getLen(), jarAfter.getLen());
            assertEquals(0, fs.listStatus(builds).length, "the build directory is removed");
            if (LOCAL) {
                assertEquals("", hadoop.calls(), "the agent fetched over WebHDFS, not with hadoop");
            }
            assertTrue(Docker.ok("run", "--rm", image + ":latest").contains(
                    "Hello from an image built on Mesos by Portainer!"));
            ItChecks.assertNothingLeftBehind(secondBuild);
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
    }

    @Test
    void buildsStagedOnHdfsFetchedWithTheAgentsHadoopClient() throws Exception {
        assumeTrue(AGENTS_HAVE_HADOOP, "the agents of " + MavenRun.MESOS_MASTER + " are not known to have a Hadoop"
                + " client for hdfs:// URIs (--hadoop_home or hadoop on their PATH); if they have one, say so with"
                + " -Dportainer.it.agentsHaveHadoop=true");
        String image = MavenRun.REGISTRY + "/it/hdfs-" + UUID.randomUUID().toString().substring(0, 8);
        HadoopLauncher hadoop = launcher();
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            DistributedFileSystem fs = hdfs.fs();
            URI root = hdfs.uri().resolve("/user/portainer/staging");
            org.apache.hadoop.fs.Path builds = new org.apache.hadoop.fs.Path(root.getPath(), "builds");
            org.apache.hadoop.fs.Path executors = new org.apache.hadoop.fs.Path(root.getPath(), "executors");

            Path project = MavenRun.copyExample("hello-world");
            MavenRun.Outcome build = MavenRun.run(project, Map.of("HADOOP_HOME", hadoop.home().toString()),
                    "package", "portainer:build", "-Dportainer.image=" + image, "-Dportainer.push=false",
                    "-Dportainer.stagingUri=" + root, "-Dportainer.fetchUriBase=hadoop");
            assertTrue(build.succeeded(), build.output());
            if (LOCAL) {
                // The embedded agent ran this test's hadoop; a cluster's agents run their own.
                assertTrue(hadoop.calls().matches("(?s)fs -copyToLocal " + root + "/executors/[0-9a-f]{64}\\.jar .*"
                        + "fs -copyToLocal " + root + "/builds/[0-9a-f]{32}/context\\.tar\\.gz .*"), hadoop.calls());
            }
            // Hadoop's start-up chatter stays out of the Maven log, and so does its shutdown hook's stack trace.
            assertFalse(build.output().contains("native-hadoop"), build.output());
            assertFalse(build.output().contains("NoClassDefFoundError"), build.output());
            assertTrue(Docker.ok("run", "--rm", image + ":latest").contains(
                    "Hello from an image built on Mesos by Portainer!"));
            assertEquals(0, fs.listStatus(builds).length, "the build directory is removed");
            assertEquals(1, fs.listStatus(executors).length, "the executor jar stays");
            ItChecks.assertNothingLeftBehind(build);
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
    }

    private static HadoopLauncher launcher() throws Exception {
        Path work = Path.of(System.getProperty("portainer.it.work"));
        return HadoopLauncher.create(Files.createDirectories(work.resolve("hadoop-"
                + UUID.randomUUID().toString().substring(0, 8))));
    }
}
