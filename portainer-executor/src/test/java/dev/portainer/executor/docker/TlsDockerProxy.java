package dev.portainer.executor.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local Docker daemon behind TLS with client certificates, as {@code dockerd --tlsverify} serves it on
 * {@code tcp://…:2376}: for tests of docker-java's {@code DOCKER_TLS_VERIFY}/{@code DOCKER_CERT_PATH} path, which reads
 * the client's PEM files with Bouncy Castle. Connections are relayed to {@code /var/run/docker.sock}.
 */
public final class TlsDockerProxy implements AutoCloseable {
    /** The private key formats {@code key.pem} comes in. */
    public enum KeyFormat {
        /** {@code BEGIN RSA PRIVATE KEY}: PKCS#1, as docker-machine and older {@code openssl genrsa} write it. */
        RSA_PKCS1,
        /** {@code BEGIN PRIVATE KEY}: an EC P-256 key in PKCS#8, as OpenSSL 3 writes keys. */
        EC_PKCS8
    }

    private final SSLServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger handshakes = new AtomicInteger();

    private TlsDockerProxy(SSLServerSocket server) {
        this.server = server;
        threads.submit(this::accept);
    }

    /**
     * Writes {@code ca.pem}, {@code cert.pem} and {@code key.pem} for the client into {@code certDirectory} and starts
     * listening on loopback with a server certificate for 127.0.0.1, requiring a client certificate from that CA.
     */
    public static TlsDockerProxy start(Path certDirectory, KeyFormat clientKey) throws Exception {
        KeyPair caKeys = rsa();
        X500Name caName = new X500Name("CN=portainer-test-ca");
        X509Certificate ca = sign(caName, caName, caKeys.getPublic(), caKeys.getPrivate(), true, null);
        KeyPair serverKeys = rsa();
        X509Certificate serverCert = sign(caName, new X500Name("CN=127.0.0.1"), serverKeys.getPublic(),
                caKeys.getPrivate(), false, KeyPurposeId.id_kp_serverAuth);
        KeyPair clientKeys = clientKey == KeyFormat.RSA_PKCS1 ? rsa() : ec();
        X509Certificate clientCert = sign(caName, new X500Name("CN=portainer-executor"), clientKeys.getPublic(),
                caKeys.getPrivate(), false, KeyPurposeId.id_kp_clientAuth);

        Files.createDirectories(certDirectory);
        writePem(certDirectory.resolve("ca.pem"), ca);
        writePem(certDirectory.resolve("cert.pem"), clientCert);
        writePem(certDirectory.resolve("key.pem"), clientKey == KeyFormat.RSA_PKCS1 ? clientKeys.getPrivate()
                : new JcaPKCS8Generator(clientKeys.getPrivate(), null));

        char[] password = "test".toCharArray();
        KeyStore serverStore = KeyStore.getInstance("PKCS12");
        serverStore.load(null, null);
        serverStore.setKeyEntry("server", serverKeys.getPrivate(), password, new X509Certificate[] {serverCert, ca});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(serverStore, password);
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
        SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        return new TlsDockerProxy(server);
    }

    /** {@code tcp://127.0.0.1:<port>}, for {@code DOCKER_HOST}. */
    public String dockerHost() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** How many clients completed a handshake with a certificate from the CA. */
    public int handshakes() {
        return handshakes.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                SSLSocket client = (SSLSocket) server.accept();
                threads.submit(() -> relay(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(SSLSocket client) {
        try (client; SocketChannel daemon = SocketChannel.open(UnixDomainSocketAddress.of("/var/run/docker.sock"))) {
            client.startHandshake();
            handshakes.incrementAndGet();
            // The channel itself, not Channels.newInputStream/newOutputStream: on Java 17 those two share the
            // channel's blocking lock, so a read waiting for the daemon would hold up every write to it.
            threads.submit(() -> {
                try {
                    InputStream in = client.getInputStream();
                    byte[] buffer = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                        while (bytes.hasRemaining()) {
                            daemon.write(bytes);
                        }
                    }
                    daemon.shutdownOutput();
                } catch (IOException ignored) {
                    // one side closed: the other copy ends too
                }
            });
            OutputStream out = client.getOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (daemon.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        } catch (IOException ignored) {
            // a client that failed its handshake or went away: the test sees it in the executor's result
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, PublicKey key, PrivateKey issuerKey,
                                        boolean ca, KeyPurposeId purpose) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (purpose != null) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (purpose == KeyPurposeId.id_kp_serverAuth) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }
}
