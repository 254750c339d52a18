package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.config.Setting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portainer.wire.auth.Secret;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.scheduler.SchedulerConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code https://} master with a certificate of its own (made by keytool, the JDK's): trusted through a PEM file,
 * refused with a message naming {@code <mesosCaCertificate>} otherwise; the credential travels on the TLS connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsMasterTest {
    @TempDir
    static Path dir;
    private static Path keystore;
    private static Path pem;

    private HttpsServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> principals = new CopyOnWriteArrayList<>();

    /** keytool takes a second or two per call: one certificate for all tests. */
    @org.junit.jupiter.api.BeforeAll
    static void makeCertificate() throws Exception {
        keystore = dir.resolve("master.p12");
        pem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "master", "-keyalg", "EC", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "master", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-file", pem.toString());
    }

    @BeforeEach
    void start() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/api/v1/scheduler", exchange -> {
            Call call = Call.parseFrom(exchange.getRequestBody().readAllBytes());
            principals.add(call.getSubscribe().getFrameworkInfo().getPrincipal());
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "401 Unauthorized.".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"mesos-master-scheduler\"");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    private SchedulerConfig config() {
        return SchedulerConfig.defaults(MesosMaster.parse("https://127.0.0.1:" + server.getAddress().getPort()),
                "root", "tls.test").withFailoverTimeout(Duration.ofSeconds(2))
                .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(50)));
    }

    private static ClusterException subscribe(SchedulerConfig config) {
        MesosSchedulerClient client = new MesosSchedulerClient(config, Clock.systemUTC());
        try {
            return assertThrows(ClusterException.class, () -> client.subscribe(new MesosSchedulerClient.Listener() {
                @Override
                public void onEvent(org.apache.mesos.v1.scheduler.Protos.Event event) {
                }

                @Override
                public void onDisconnected(String reason) {
                }

                @Override
                public void onClosed(ClusterException failure) {
                }
            }));
        } finally {
            client.close();
        }
    }

    @Test
    void aMasterWhoseCaIsConfiguredIsReachedAndGetsTheCredentialAndPrincipal() {
        MesosCredential credential = new MesosCredential("builder", Secret.of("pass"), "settings.xml server 'm'");
        ClusterException e = subscribe(config().withSslContext(TrustedCertificates.fromPem(pem))
                .withCredential(credential));
        assertTrue(e.getMessage().contains("rejected principal 'builder' with the secret from settings.xml server "
                + "'m': HTTP 401"), e.getMessage());
        assertEquals(List.of("Basic " + Base64.getEncoder().encodeToString("builder:pass".getBytes())),
                authorizations);
        assertEquals(List.of("builder"), principals);
    }

    @Test
    void aMasterWithAnUntrustedCertificateFailsAtOnceNamingMesosCaCertificate() {
        ClusterException e = subscribe(config());
        assertTrue(e.getMessage().contains("Cannot set up TLS with the Mesos master at https://127.0.0.1:")
                && e.getMessage().contains("set mesosCaCertificate to that CA's certificate"), e.getMessage());
        assertEquals(List.of(Setting.MESOS_CA_CERTIFICATE), e.explanation().settings());
        assertEquals(List.of(), authorizations, "nothing was sent over an untrusted connection");
    }

    @Test
    void aFileThatIsNotACertificateIsNamedInTheMessage() throws Exception {
        Path bogus = Files.writeString(dir.resolve("not.pem"), "hello");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrustedCertificates.fromPem(bogus));
        assertTrue(e.getMessage().contains("not.pem") && e.getMessage().contains("mesosCaCertificate"),
                e.getMessage());
    }
}
