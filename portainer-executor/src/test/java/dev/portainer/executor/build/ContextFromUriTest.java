package dev.portainer.executor.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.GrowingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A context the scheduler serves over HTTP while it packs it ({@link BuildSpec#contextGrowing}): the build reads it as it
 * is downloaded, ends only with a body that ended, and fails with the download's error when the connection is aborted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContextFromUriTest {
    @TempDir
    Path sandbox;
    private HttpServer server;
    private final byte[] bytes = new byte[700_000];
    /** Released by the test when the server may send the rest of the body. */
    private final CountDownLatch rest = new CountDownLatch(1);

    {
        new Random(11).nextBytes(bytes);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aContextServedAsItIsPackedIsBuiltFromAsItArrivesAndDeletedAfter() throws Exception {
        String uri = serve(false);
        Path context = sandbox.resolve("tasks/t1/context.tar.gz");
        ReadingBuild reading = new ReadingBuild(context, 1000, rest);

        ImageBuildResult result = ContextFromUri.of(spec(uri), context, reading).run(line -> { });

        assertEquals("sha256:read", result.imageId());
        assertArrayEquals(bytes, reading.got.toByteArray(), "every byte, the last piece too");
        assertFalse(Files.exists(context), "the download is deleted");
        assertFalse(Files.exists(BuildSpec.partialContextFile(context)));
    }

    @Test
    void anAbortedBodyFailsTheBuildWithTheDownloadsErrorNotATruncatedArchive() throws Exception {
        String uri = serve(true);
        Path context = sandbox.resolve("tasks/t1/context.tar.gz");
        ReadingBuild reading = new ReadingBuild(context, 1000, rest);

        ImageBuildException e = assertThrows(ImageBuildException.class,
                () -> ContextFromUri.of(spec(uri), context, reading).run(line -> { }));

        assertTrue(e.getMessage().startsWith("Cannot fetch the build context from " + uri + ": "), e.getMessage());
        assertFalse(reading.ended.get(), "the build never saw an end of the archive");
        assertFalse(Files.exists(context));
        assertFalse(Files.exists(BuildSpec.partialContextFile(context)));
    }

    @Test
    void aRefusedDownloadFailsTheBuildAtOnceWithTheStatus() throws Exception {
        String uri = serve(false).replace("/context", "/gone");
        Path context = sandbox.resolve("tasks/t1/context.tar.gz");
        rest.countDown();
        ReadingBuild reading = new ReadingBuild(context, 0, rest);

        ImageBuildException e = assertThrows(ImageBuildException.class,
                () -> ContextFromUri.of(spec(uri), context, reading).run(line -> { }));

        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertFalse(Files.exists(BuildSpec.partialContextFile(context)));
    }

    private static BuildSpec spec(String uri) {
        return BuildSpec.of("registry.example/app", List.of("1"), "Dockerfile", "context.tar.gz", false, null)
                .withGrowingContextUri(uri);
    }

    /**
     * Serves {@link #bytes} at {@code /context}, chunked: the first 1000 bytes, then (once {@link #rest} is released)
     * the rest, or, when {@code abort}, nothing more and the connection closed without the body's end.
     */
    private String serve(boolean abort) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/context", exchange -> respond(exchange, abort));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/context";
    }

    private void respond(HttpExchange exchange, boolean abort) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write(bytes, 0, 1000);
        out.flush();
        try {
            if (!rest.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the build never read the first piece");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        if (abort) {
            throw new IOException("the packing failed"); // unclosed: the server drops the connection
        }
        out.write(bytes, 1000, bytes.length - 1000);
        out.close();
        exchange.close();
    }

    /** Reads its context as the Docker build does, and releases the rest of the body once it has the first piece. */
    private static final class ReadingBuild implements ImageBuild {
        private final Path context;
        private final int first;
        private final CountDownLatch rest;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final AtomicBoolean ended = new AtomicBoolean();
        private volatile boolean cancelled;

        ReadingBuild(Path context, int first, CountDownLatch rest) {
            this.context = context;
            this.first = first;
            this.rest = rest;
        }

        @Override
        public ImageBuildResult run(BuildLog log) throws ImageBuildException {
            try (InputStream in = GrowingContext.open(context, () -> cancelled)) {
                // The first piece arrives before the server sends the rest: the build has it while the rest is packed.
                got.write(in.readNBytes(first));
                rest.countDown();
                in.transferTo(got);
                ended.set(true);
                return new ImageBuildResult("sha256:read", null, List.of("1"), got.size());
            } catch (IOException e) {
                throw new ImageBuildException("Cannot read the build context: " + e.getMessage(), null, e);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
