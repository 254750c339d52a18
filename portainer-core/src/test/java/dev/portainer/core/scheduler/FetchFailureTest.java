package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fetcher's reason, found in a sandbox's stderr as Mesos's fetcher writes it, and the fix for it. */
class FetchFailureTest {
    // What mesos-fetcher leaves in stderr (glog lines; its EXIT writes the last one).
    private static final String STDERR = """
            I1204 20:50:00.000100 4242 fetcher.cpp:562] Fetcher Info: {"cache_directory":"/tmp/mesos/fetch"}
            I1204 20:50:00.000200 4242 fetcher.cpp:459] Fetching URI 'hdfs://nn:8020/staging/executors/ab.jar'
            E1204 20:50:00.000300 4242 fetcher.cpp:615] EXIT with status 1: Failed to fetch \
            'hdfs://nn:8020/staging/executors/ab.jar': Failed to create HDFS client: Hadoop client is not available, \
            exit status: 32512
            """;

    @Test
    void recognisesTheAgentsBareMessage() {
        assertTrue(FetchFailure.isFetchFailure("Failed to launch container: Failed to fetch all URIs for container"
                + " '1b2c': exited with status 1"));
        assertFalse(FetchFailure.isFetchFailure("Executor terminated"));
        assertFalse(FetchFailure.isFetchFailure(null));
    }

    @Test
    void findsTheFetchersLastWordsInItsStderr() {
        assertEquals("Failed to fetch 'hdfs://nn:8020/staging/executors/ab.jar': Failed to create HDFS client: Hadoop"
                + " client is not available, exit status: 32512", FetchFailure.fetcherSaid(STDERR));
        assertNull(FetchFailure.fetcherSaid("I1204 fetcher.cpp:1] Fetching URI 'x'\n"));
    }

    @Test
    void saysWhatToDoForEachKindOfFailure() {
        assertTrue(FetchFailure.fix(FetchFailure.fetcherSaid(STDERR)).contains("--hadoop_home"));
        assertTrue(FetchFailure.fix("Failed to fetch 'hdfs://nn/x': Failed to create HDFS client: Failed to exec"
                + " hadoop subprocess: …").contains("WebHDFS"));
        assertTrue(FetchFailure.fix("Failed to fetch 'hdfs://nn/x': HDFS copyToLocal failed: …")
                .contains("Hadoop configuration"));
        assertTrue(FetchFailure.fix("Failed to fetch 'http://10.0.0.5:41234/ab/context.tar.gz': Error downloading"
                + " resource, received HTTP return code 404").contains("no longer there"));
        assertEquals("the agent cannot reach 10.0.0.5:41234: let the agents reach that address (a firewall, or the"
                + " address the Maven machine advertises), or stage where they can read (<stagingUri>)",
                FetchFailure.fix("Failed to fetch 'http://10.0.0.5:41234/ab/context.tar.gz': Error downloading"
                        + " resource: Couldn't connect to server"));
        assertTrue(FetchFailure.fix("Failed to fetch 'file:///shared/portainer/builds/x/context.tar.gz': Failed to"
                + " copy '/shared/portainer/builds/x/context.tar.gz': No such file or directory")
                .contains("shared with every agent"));
        assertEquals("", FetchFailure.fix("Failed to fetch 'ftp://x/y': something else"));
    }
}
