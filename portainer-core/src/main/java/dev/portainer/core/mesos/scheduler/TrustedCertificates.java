package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS set-up for an {@code https://} master whose certificate is signed by a private CA: trusts exactly the
 * certificates of one PEM file, like {@code curl --cacert}.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {
    }

    /** An SSLContext that trusts the certificates in this PEM file (one or more), and no others. */
    public static SSLContext fromPem(Path pem) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new InvalidSettingException(Message.of("Cannot read the Mesos CA certificate ", pem, ": ",
                    e.getMessage(), "; fix ", Setting.MESOS_CA_CERTIFICATE), e);
        } catch (GeneralSecurityException e) {
            throw new InvalidSettingException(Message.of(pem, " is not a PEM certificate file (", e.getMessage(),
                    "); ", Setting.MESOS_CA_CERTIFICATE.named(), " takes the CA certificate, -----BEGIN CERTIFICATE-----"),
                    e);
        }
        if (certificates.isEmpty()) {
            throw new InvalidSettingException(Message.of(pem, " holds no certificate; ",
                    Setting.MESOS_CA_CERTIFICATE.named(), " takes the CA certificate in PEM form"
                    + " (-----BEGIN CERTIFICATE-----)"));
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("mesos-ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot set up TLS with the certificates of " + pem + ": " + e, e);
        }
    }
}
