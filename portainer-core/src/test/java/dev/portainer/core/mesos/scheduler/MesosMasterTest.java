package dev.portainer.core.mesos.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class MesosMasterTest {
    @Test
    void hostAndPortBecomeAnHttpUrl() {
        MesosMaster master = MesosMaster.parse("mesos.example.com:5050");
        assertEquals(URI.create("http://mesos.example.com:5050"), master.baseUri());
        assertEquals(URI.create("http://mesos.example.com:5050/api/v1/scheduler"), master.schedulerEndpoint());
        assertEquals("mesos.example.com:5050", master.address());
    }

    @Test
    void ipv4AndBracketedIpv6HostsAreAccepted() {
        assertEquals(URI.create("http://10.0.0.1:5050/api/v1/scheduler"),
                MesosMaster.parse(" 10.0.0.1:5050 ").schedulerEndpoint());
        assertEquals(URI.create("http://[::1]:5050/api/v1/scheduler"), MesosMaster.parse("[::1]:5050").schedulerEndpoint());
    }

    @Test
    void urlsAreKeptWithTheirPathForProxiedMasters() {
        assertEquals(URI.create("https://dcos.example.com/mesos/api/v1/scheduler"),
                MesosMaster.parse("https://dcos.example.com/mesos/").schedulerEndpoint());
        assertEquals(URI.create("http://m1:5050/api/v1/scheduler"), MesosMaster.parse("HTTP://m1:5050").schedulerEndpoint());
    }

    @Test
    void zookeeperAddressesAreNotASingleMasterButParseAsZooKeeperAddresses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MesosMaster.parse("zk://zk1:2181,zk2:2181/mesos"));
        assertTrue(e.getMessage().contains("ZooKeeper"), e.getMessage());
        ZooKeeperAddress zk = ZooKeeperAddress.parse(" zk://zk1:2181,zk2:2181/mesos/ ");
        assertEquals(new ZooKeeperAddress("zk://zk1:2181,zk2:2181/mesos/", "zk1:2181,zk2:2181", "/mesos", "http"), zk);
        assertEquals("https", ZooKeeperAddress.parse("zk+https://zk1/mesos").scheme());
        for (String bad : new String[] {"zk://zk1:2181", "zk:///mesos", "zk://u:p@zk1:2181/mesos", "zk://zk1:x/mesos",
                "zk://zk1:2181,/mesos"}) {
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> ZooKeeperAddress.parse(bad),
                    bad);
            assertTrue(b.getMessage().contains("zk://host1:2181,host2:2181/mesos"), b.getMessage());
        }
    }

    @Test
    void otherFormsAreRefusedWithTheAcceptedOnesListed() {
        for (String bad : new String[] {"mesos.example.com", "m1:", ":5050", "m1:http", "m1:70000", "ftp://m1:5050",
                "http://:5050", "http://m1:5050/?x=1", "m1:5050/path", "bad host:5050"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MesosMaster.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("https://host:port[/path]") && e.getMessage().contains("'local'"),
                    e.getMessage());
        }
    }

    @Test
    void emptyAddressIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MesosMaster.parse(null));
        assertThrows(IllegalArgumentException.class, () -> MesosMaster.parse("  "));
    }

    @Test
    void localIsRecognisedButNotParsedAsARemoteMaster() {
        assertTrue(MesosMaster.isLocal("local"));
        assertTrue(MesosMaster.isLocal(" LOCAL "));
        assertFalse(MesosMaster.isLocal("localhost:5050"));
        assertThrows(IllegalArgumentException.class, () -> MesosMaster.parse("local"));
        assertEquals(URI.create("http://localhost:5050"), MesosMaster.parse("localhost:5050").baseUri());
    }
}
