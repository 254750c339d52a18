package dev.portainer.core.mesos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentFilesTest {
    private HttpServer agent;
    private final AtomicReference<String> query = new AtomicReference<>();
    private volatile byte[] body;
    private volatile int status = 200;

    @BeforeEach
    void start() throws Exception {
        agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        agent.createContext("/files/read", exchange -> {
            query.set(exchange.getRequestURI().getRawQuery());
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        agent.start();
    }

    @AfterEach
    void stop() {
        agent.stop(0);
    }

    private AgentFiles files() {
        return new AgentFiles(HttpClient.newHttpClient(), AgentFiles.agentRoot("http", "127.0.0.1",
                agent.getAddress().getPort()), Duration.ofSeconds(5));
    }

    @Test
    void readsTheRawBytesEvenWhenTheChunkEndsInsideAUtf8Character() throws Exception {
        byte[] euro = "a\t€\n".getBytes(StandardCharsets.UTF_8);
        byte[] cut = Arrays.copyOf(euro, 4); // 'a', tab, and two of the euro sign's three bytes
        // As the agent writes it: the bytes as they are inside the JSON string, control characters escaped.
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        json.writeBytes("{\"data\":\"a\\t".getBytes(StandardCharsets.US_ASCII));
        json.write(cut, 2, 2);
        json.writeBytes("\",\"offset\":7}".getBytes(StandardCharsets.US_ASCII));
        body = json.toByteArray();

        AgentFiles.Chunk chunk = files().read("/frameworks/f/executors/e/runs/latest/stdout", 7, 4);

        assertArrayEquals(cut, chunk.data());
        assertEquals(7, chunk.offset());
        assertEquals("path=%2Fframeworks%2Ff%2Fexecutors%2Fe%2Fruns%2Flatest%2Fstdout&offset=7&length=4",
                query.get());
    }

    @Test
    void aRefusalCarriesTheAgentsStatus() {
        status = 404;
        body = new byte[0];
        MesosHttpException e = assertThrows(MesosHttpException.class, () -> files().read("/nope", 0, 10));
        assertEquals(404, e.status());
    }

    @Test
    void theVirtualSandboxPathAndTheAgentsRoot() {
        assertEquals("/frameworks/F-0000/executors/portainer-executor-1/runs/latest",
                AgentFiles.sandboxPath("F-0000", "portainer-executor-1"));
        assertEquals(URI.create("http://[::1]:5051"), AgentFiles.agentRoot("http", "::1", 5051));
    }
}
