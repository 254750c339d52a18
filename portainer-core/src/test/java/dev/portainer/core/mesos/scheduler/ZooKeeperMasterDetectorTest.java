package dev.portainer.core.mesos.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.scheduler.ClusterException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reads the leader as Mesos publishes it, from a real ZooKeeper server (curator-test). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class ZooKeeperMasterDetectorTest {
    private TestingServer zookeeper;
    private CuratorFramework masters;

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(true);
        masters = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
        masters.start();
    }

    @AfterEach
    void stop() throws Exception {
        masters.close();
        zookeeper.close();
    }

    /** What a Mesos master writes (JSON of its MasterInfo), as an ephemeral sequential znode; returns its path. */
    public static String publish(CuratorFramework masters, String path, String json) throws Exception {
        return masters.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(path + "/" + ZooKeeperMasterDetector.LEADER_PREFIX, json.getBytes(StandardCharsets.UTF_8));
    }

    public static String masterInfo(String host, int port) {
        return "{\"address\":{\"hostname\":\"" + host + "\",\"ip\":\"127.0.0.1\",\"port\":" + port + "},"
                + "\"hostname\":\"" + host + "\",\"id\":\"m-" + port + "\",\"ip\":16777343,\"pid\":\"master@127.0.0.1:"
                + port + "\",\"port\":" + port + ",\"version\":\"1.11.0\"}";
    }

    private ZooKeeperMasterDetector detector(String path) {
        return ZooKeeperMasterDetector.connect(ZooKeeperAddress.parse("zk://" + zookeeper.getConnectString() + path),
                Duration.ofSeconds(5));
    }

    @Test
    void theLowestSequenceIsTheLeaderAndFollowsAChange() throws Exception {
        String first = publish(masters, "/mesos", masterInfo("m1.example.com", 5050));
        publish(masters, "/mesos", masterInfo("m2.example.com", 5051));
        masters.create().forPath("/mesos/log_replicas");
        try (ZooKeeperMasterDetector detector = detector("/mesos")) {
            MesosMaster leader = detector.leader();
            assertEquals(URI.create("http://m1.example.com:5050"), leader.baseUri());
            assertEquals("zk://" + zookeeper.getConnectString() + "/mesos", leader.address());
            masters.delete().forPath(first);
            assertEquals(URI.create("http://m2.example.com:5051"), detector.leader().baseUri());
        }
    }

    @Test
    void sequencesAreComparedAsNumbersAndOlderFieldsAreRead() {
        assertEquals(List.of("json.info_0000000009", "json.info_0000000010"), ZooKeeperMasterDetector.candidates(
                List.of("json.info_0000000010", "info_0000000001", "json.info_0000000009", "json.info_x")));
    }

    @Test
    void withoutAddressTheTopLevelHostnameOrIpAndPortAreUsed() throws Exception {
        publish(masters, "/m", "{\"ip\":16777343,\"port\":5050,\"id\":\"old\"}");
        try (ZooKeeperMasterDetector detector = detector("/m")) {
            assertEquals(URI.create("http://127.0.0.1:5050"), detector.leader().baseUri());
        }
    }

    @Test
    void aPathWithoutMastersSaysSoAndNamesTheFlag() throws Exception {
        try (ZooKeeperMasterDetector detector = detector("/nothing")) {
            ClusterException e = assertThrows(ClusterException.class, detector::leader);
            assertTrue(e.getMessage().contains("No leading Mesos master is registered in ZooKeeper")
                    && e.getMessage().contains("/nothing does not exist") && e.getMessage().contains("--zk"),
                    e.getMessage());
        }
        masters.create().forPath("/empty");
        try (ZooKeeperMasterDetector detector = detector("/empty")) {
            assertTrue(assertThrows(ClusterException.class, detector::leader).getMessage()
                    .contains("no json.info_* znode under /empty"));
        }
    }

    @Test
    void anUnreachableEnsembleIsATypedErrorNamingIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ZooKeeperMasterDetector detector = ZooKeeperMasterDetector.connect(
                ZooKeeperAddress.parse("zk://127.0.0.1:" + port + "/mesos"), Duration.ofMillis(700))) {
            ClusterException e = assertThrows(ClusterException.class, detector::leader);
            assertInstanceOf(MasterUnreachableException.class, e);
            assertTrue(e.getMessage().contains("Cannot reach ZooKeeper at 127.0.0.1:" + port), e.getMessage());
        }
    }
}
