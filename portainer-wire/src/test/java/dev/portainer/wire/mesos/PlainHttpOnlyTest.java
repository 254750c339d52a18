package dev.portainer.wire.mesos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A client given this context speaks plain HTTP as usual and refuses TLS with a reason. */
class PlainHttpOnlyTest {
    @Test
    void plainHttpWorksAndTlsIsRefusedWithAReason() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            HttpClient http = HttpClient.newBuilder().sslContext(PlainHttpOnly.context()).build();
            int port = server.getAddress().getPort();
            assertEquals(204, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            Exception tls = assertThrows(Exception.class, () -> http.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding()));
            Throwable cause = tls;
            while (cause.getCause() != null && !(cause instanceof UnsupportedOperationException)) {
                cause = cause.getCause();
            }
            assertTrue(String.valueOf(cause.getMessage()).contains("plain HTTP only"), tls.toString());
        } finally {
            server.stop(0);
        }
    }
}
