package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portainer.core.staging.MiniHdfs;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An agent that cannot fetch the build's files: the Mesos agent says only "Failed to fetch all URIs … exited with
 * status 1", so the build reads the fetcher's reason from the sandbox's stderr and says what to do. Local only: it
 * needs an agent without a Hadoop client, which is what this machine's embedded agent is.
 */
class FetchFailureIT {

    @Test
    void anAgentWithoutAHadoopClientIsToldWhatToDo() throws Exception {
        assumeTrue(MavenRun.MESOS_MASTER.equals("local"), "local only: needs an agent known to lack a Hadoop client");
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            URI root = hdfs.uri().resolve("/user/portainer/staging");
            Path project = MavenRun.copyExample("hello-world");
            // No HADOOP_HOME and no hadoop on the PATH: the embedded agent's fetcher has no client.
            MavenRun.Outcome build = MavenRun.run(project, Map.of("HADOOP_HOME", ""), "package", "portainer:build",
                    "-Dportainer.image=" + MavenRun.REGISTRY + "/it/fetch-" + UUID.randomUUID().toString()
                            .substring(0, 8), "-Dportainer.push=false", "-Dportainer.stagingUri=" + root,
                    "-Dportainer.fetchUriBase=hadoop", "-Dportainer.retries=0");
            String out = build.output();
            assertNotEquals(0, build.exitCode(), out);
            assertTrue(out.contains("Failed to fetch all URIs for container"), out);
            assertTrue(out.contains("exited with status 1; the fetcher said: Failed to fetch 'hdfs://"), out);
            assertTrue(out.contains("Failed to create HDFS client: Hadoop client is not available"), out);
            assertTrue(out.contains("To fix: the agent has no Hadoop client to fetch hdfs:// files"), out);
            ItChecks.assertNothingLeftBehind(build);
        }
    }
}
