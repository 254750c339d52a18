package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.auth.Secret;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secured, highly available master as a user meets it: {@code mesosMaster=zk://…} found through a real ZooKeeper,
 * and a master that requires framework authentication, with the secret in settings.xml. The Mesos here is an
 * embedded one started by the test (it requires the principal {@code builder}) and announced in ZooKeeper the way a
 * Mesos master announces itself.
 */
class ClusterAccessIT {
    private static final String SECRET = "pa55-" + UUID.randomUUID();

    private static TestingServer zookeeper;
    private static CuratorFramework announcer;
    private static LocalMesos mesos;

    @BeforeAll
    static void start() throws Exception {
        zookeeper = new TestingServer(true);
        mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048)
                .executorShutdownGracePeriod(Duration.ofSeconds(2))
                .frameworkCredentials(Map.of("builder", Secret.of(SECRET))).build());
        announcer = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
        announcer.start();
        URI master = mesos.masterUri();
        String info = "{\"address\":{\"hostname\":\"" + master.getHost() + "\",\"ip\":\"127.0.0.1\",\"port\":"
                + master.getPort() + "},\"hostname\":\"" + master.getHost() + "\",\"port\":" + master.getPort()
                + ",\"id\":\"it-master\",\"version\":\"1.11.0\"}";
        announcer.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath("/mesos/json.info_", info.getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        announcer.close();
        mesos.close();
        zookeeper.close();
    }

    private static Path settings(Path project, String password) throws Exception {
        Path settings = project.resolve("it-settings.xml");
        Files.writeString(settings, "<settings><servers><server><id>mesos-cluster</id><username>builder</username>"
                + "<password>" + password + "</password></server></servers></settings>");
        return settings;
    }

    private static String zk() {
        return "zk://" + zookeeper.getConnectString() + "/mesos";
    }

    @Test
    void buildsThroughZooKeeperOnAMasterThatRequiresAuthenticationWithTheSecretFromSettings() throws Exception {
        String repo = "it/zk-auth-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/" + repo;
        Path project = MavenRun.copyExample("hello-world");

        MavenRun.Outcome build = MavenRun.runWithSettings(project, settings(project, SECRET), "package",
                "portainer:build", "-Dportainer.image=" + image, "-Dportainer.mesosMaster=" + zk(),
                "-Dportainer.mesosServerId=mesos-cluster");

        String out = build.output();
        assertTrue(build.succeeded(), out);
        assertTrue(out.contains("ZooKeeper " + zk() + " names " + mesos.masterUri() + " as the leading Mesos master"),
                out);
        assertTrue(out.contains("hello-world: built on"), out);
        // The ZooKeeper client's own INFO lines stay out of the Maven log.
        assertFalse(out.contains("org.apache.zookeeper") || out.contains("Client environment:")
                || out.contains("org.apache.curator"), out);
        assertFalse(out.contains(SECRET), "the secret never reaches the log");
        assertNoFramework();
        // As on a cluster: the master and its agent say that the build's framework ended, through their API.
        ItChecks.assertNothingLeftBehind(build, api());
        Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
    }

    /**
     * A master that is not the embedded one: contexts are tar.gz served by the Maven JVM over HTTP, and the builds of
     * {@code <images>} still share one executor on the agent, which GETs each context itself (Mesos fetches only
     * when an executor starts).
     */
    @Test
    void theImagesOfARunShareOneExecutorThatFetchesEachContextFromTheMavenJvm() throws Exception {
        String prefix = MavenRun.REGISTRY + "/it/zk-several-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("several-images");

        MavenRun.Outcome build = MavenRun.runWithSettings(project, settings(project, SECRET), "package",
                "portainer:build", "-Dit.prefix=" + prefix, "-Dportainer.mesosMaster=" + zk(),
                "-Dportainer.mesosServerId=mesos-cluster");
        try {
            String out = build.output();
            assertTrue(build.succeeded(), out);
            assertTrue(out.contains("Images built (3 of 3):"), out);
            assertEquals(3, out.lines().filter(l -> l.contains("Packed context") && l.contains(" compressed)"))
                    .count(), "packed for a network, not as a plain tar read in place: " + out);
            List<String> executors = out.lines().filter(l -> l.contains("Launched portainer-"))
                    .map(l -> l.replaceAll(".* in executor (portainer-executor-[0-9a-f-]+).*", "$1")).toList();
            assertEquals(3, executors.size(), out);
            assertTrue(executors.get(0).startsWith("portainer-executor-"), out);
            assertEquals(1, executors.stream().distinct().count(), "one executor for the three: " + executors);
            for (String name : List.of("api", "web", "worker")) {
                assertEquals(200, Registry.status(prefix.substring(MavenRun.REGISTRY.length() + 1) + "-" + name,
                        name.equals("web") ? "2.0" : "1.0.0"), name + " pushed");
            }
            assertNoFramework();
            ItChecks.assertNothingLeftBehind(build, api());
        } finally {
            for (String name : List.of("api", "web", "worker")) {
                Docker.run("rmi", "-f", prefix + "-" + name + ":" + (name.equals("web") ? "2.0" : "1.0.0"));
            }
        }
    }

    @Test
    void aWrongSecretFailsTheBuildNamingThePrincipalAndTheSettingsServer() throws Exception {
        Path project = MavenRun.copyExample("hello-world");

        MavenRun.Outcome build = MavenRun.runWithSettings(project, settings(project, "wrong-" + SECRET), "package",
                "portainer:build", "-Dportainer.image=" + MavenRun.REGISTRY + "/it/never",
                "-Dportainer.mesosMaster=" + zk(), "-Dportainer.mesosServerId=mesos-cluster");

        String out = build.output();
        assertNotEquals(0, build.exitCode(), out);
        assertTrue(out.contains("rejected principal 'builder' with the secret from settings.xml server "
                + "'mesos-cluster': HTTP 401"), out);
        assertFalse(out.contains(SECRET), "the secret never reaches the log");
        assertNoFramework();
        ItChecks.assertNothingLeftBehind(build, api());
    }

    @Test
    void aZooKeeperAddressWithoutPathFailsTheBuildBeforeAnythingRunsNamingTheForm() throws Exception {
        Path project = MavenRun.copyExample("hello-world");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dportainer.mesosMaster=zk://" + zookeeper.getConnectString());

        String out = build.output();
        assertNotEquals(0, build.exitCode(), out);
        assertTrue(out.contains("Unsupported Mesos master address 'zk://" + zookeeper.getConnectString()
                + "': it has no path; use zk://host1:2181,host2:2181/mesos"), out);
        assertFalse(out.contains("Packed context"), "nothing ran: " + out);
    }

    private static MesosApi api() {
        return MesosApi.of(mesos.masterUri(), new MesosApi.Credential("builder", SECRET));
    }

    /**
     * The embedded master has no framework left: every build tore its own down. (Read with the credential: without
     * it this master answers 401, whose body once passed for a state without frameworks.)
     */
    private static void assertNoFramework() throws Exception {
        assertEquals(List.of(), api().registeredFrameworks(), "frameworks still registered");
    }
}
