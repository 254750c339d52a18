package dev.portainer.wire.mesos;

import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} for an HTTP client that only ever speaks plain HTTP (the embedded master on loopback, the
 * Docker daemon on its Unix socket). {@code java.net.http.HttpClient} and docker-java's Apache client take the
 * JVM's default context when given none, and initialising that (the JSSE provider, the cipher suites, the CA
 * certificates) costs a cold JVM ~0.1 s of CPU that such a connection never uses. Any attempt at TLS with this
 * context fails with a message saying why.
 */
public final class PlainHttpOnly {
    private PlainHttpOnly() {
    }

    public static SSLContext context() {
        return new SSLContext(new Spi(), null, "none") {
        };
    }

    private static final class Spi extends SSLContextSpi {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("this client speaks plain HTTP only (the embedded Mesos, a "
                    + "Unix socket); TLS was not expected here");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return null;
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return null;
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return new SSLParameters();
        }
    }
}
