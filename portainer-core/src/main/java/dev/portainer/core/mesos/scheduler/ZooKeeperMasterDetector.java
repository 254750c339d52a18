package dev.portainer.core.mesos.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portainer.core.scheduler.ClusterException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;

/**
 * Finds the leading Mesos master through ZooKeeper ({@code zk://host1:2181,host2:2181/mesos}), as Mesos's own
 * detector does: every master candidate holds an ephemeral sequential znode {@code json.info_<seq>} with its
 * MasterInfo as JSON under the path, and the lowest sequence number is the leader.
 */
public final class ZooKeeperMasterDetector implements MasterDetector {
    /** Prefix of the znodes Mesos (0.24 and later) writes; older binary {@code info_} nodes are not read. */
    static final String LEADER_PREFIX = "json.info_";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ZooKeeperAddress zk;
    private final Duration timeout;
    private final CuratorFramework curator;

    private ZooKeeperMasterDetector(ZooKeeperAddress zk, Duration timeout, CuratorFramework curator) {
        this.zk = zk;
        this.timeout = timeout;
        this.curator = curator;
    }

    /**
     * Connects to the ensemble (in the background); {@link #leader()} waits for the connection up to
     * {@code timeout}.
     */
    public static ZooKeeperMasterDetector connect(ZooKeeperAddress zk, Duration timeout) {
        Objects.requireNonNull(zk, "zk");
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(zk.connectString())
                .sessionTimeoutMs(Math.max(millis, 10_000))
                .connectionTimeoutMs(millis)
                .retryPolicy(new ExponentialBackoffRetry(200, 3, 2_000))
                .build();
        curator.start();
        return new ZooKeeperMasterDetector(zk, timeout, curator);
    }

    @Override
    public String address() {
        return zk.address();
    }

    @Override
    public MesosMaster leader() throws ClusterException, InterruptedException {
        if (!curator.getZookeeperClient().isConnected()
                && !curator.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new MasterUnreachableException(zk.address(), "Cannot reach ZooKeeper at " + zk.connectString()
                    + " (from mesosMaster '" + zk.address() + "') within " + timeout.toSeconds() + " s; check the hosts "
                    + "and ports, or give a master directly as host:5050");
        }
        List<String> children;
        try {
            children = curator.getChildren().forPath(zk.path());
        } catch (KeeperException.NoNodeException e) {
            throw new ClusterException(noLeader("the path " + zk.path() + " does not exist in ZooKeeper"));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new ClusterException("Cannot list the Mesos masters under " + zk.address() + ": " + e, e);
        }
        // Several attempts: the leader may go away between listing and reading.
        for (String leader : candidates(children)) {
            byte[] data;
            try {
                data = curator.getData().forPath(zk.path() + "/" + leader);
            } catch (KeeperException.NoNodeException e) {
                continue;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new ClusterException("Cannot read the leading Mesos master from " + zk.address() + ": " + e,
                        e);
            }
            return master(leader, data);
        }
        throw new ClusterException(noLeader("no " + LEADER_PREFIX + "* znode under " + zk.path()
                + (children.isEmpty() ? "" : " (found " + String.join(", ", children) + ")")));
    }

    /** The leader candidates, lowest sequence number (the leader) first. */
    static List<String> candidates(List<String> children) {
        return children.stream()
                .filter(c -> c.startsWith(LEADER_PREFIX) && c.length() > LEADER_PREFIX.length()
                        && c.substring(LEADER_PREFIX.length()).chars().allMatch(Character::isDigit))
                .sorted(Comparator.comparingLong(c -> Long.parseLong(c.substring(LEADER_PREFIX.length()))))
                .toList();
    }

    private MesosMaster master(String znode, byte[] data) throws ClusterException {
        JsonNode info;
        try {
            info = JSON.readTree(data);
        } catch (IOException e) {
            throw new ClusterException("The leading Mesos master's entry " + zk.path() + "/" + znode + " in "
                    + "ZooKeeper is not MasterInfo JSON: " + e.getMessage(), e);
        }
        JsonNode address = info.path("address");
        String host = text(address, "hostname");
        if (host == null) {
            host = text(address, "ip");
        }
        if (host == null) {
            host = text(info, "hostname");
        }
        if (host == null && info.path("ip").canConvertToLong()) {
            // MasterInfo.ip is an IPv4 address in network byte order read as a little-endian uint32.
            long ip = info.path("ip").asLong();
            host = String.format(Locale.ROOT, "%d.%d.%d.%d", ip & 0xff, (ip >> 8) & 0xff, (ip >> 16) & 0xff,
                    (ip >> 24) & 0xff);
        }
        int port = address.path("port").asInt(info.path("port").asInt(0));
        if (host == null || port <= 0 || port > 65535) {
            throw new ClusterException("The leading Mesos master's entry " + zk.path() + "/" + znode + " in "
                    + "ZooKeeper has no usable address: " + new String(data, java.nio.charset.StandardCharsets.UTF_8));
        }
        String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        return new MesosMaster(zk.address(), URI.create(zk.scheme() + "://" + authority));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
    }

    private String noLeader(String why) {
        return "No leading Mesos master is registered in ZooKeeper for mesosMaster '" + zk.address() + "': " + why
                + "; check the path (Mesos's --zk flag, usually /mesos) and that a master is running";
    }

    @Override
    public void close() {
        curator.close();
    }
}
