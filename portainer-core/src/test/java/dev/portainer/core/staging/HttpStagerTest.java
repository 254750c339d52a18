package dev.portainer.core.staging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.BuildSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HttpStagerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesStagedFileUnderUnguessablePathAndNothingElse(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("ctx.tar.gz"), new byte[] {1, 2, 3, 4});
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            StagedFile staged = stager.stageBuildFile(file, "context.tar.gz");
            assertEquals("context.tar.gz", staged.fileName());
            assertTrue(staged.uri().getPath().matches("/[0-9a-f]{48}/context.tar.gz"), staged.uri().toString());

            HttpResponse<byte[]> ok = get(staged.uri());
            assertEquals(200, ok.statusCode());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, ok.body());

            URI guessed = staged.uri().resolve("/context.tar.gz");
            assertEquals(404, get(guessed).statusCode());
            assertEquals(404, get(staged.uri().resolve("other.jar")).statusCode());
        }
    }

    @Test
    void stopsServingWhenClosed(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("x.jar"), new byte[] {9});
        URI uri;
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            uri = stager.stageSharedFile(file, "portainer-executor.jar", "ab".repeat(32)).uri();
            assertEquals(200, get(uri).statusCode());
        }
        assertThrows(ConnectException.class, () -> get(uri));
    }

    @Test
    void servesASecretToExactlyOneGetThenForgetsIt() throws Exception {
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            StagedSecret secret = stager.stageSecret(new byte[] {7, 8}, "credentials.sealed");
            assertFalse(secret.viaFetcher(), "the executor fetches it itself, the fetcher never sees it");
            assertTrue(secret.uri().getPath().matches("/[0-9a-f]{48}/secret-[0-9a-f]{48}"), secret.uri().toString());

            HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(secret.uri())
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(404, head.statusCode(), "a HEAD neither reveals nor burns it");
            HttpResponse<byte[]> first = get(secret.uri());
            assertEquals(200, first.statusCode());
            assertArrayEquals(new byte[] {7, 8}, first.body());
            HttpResponse<byte[]> again = get(secret.uri());
            assertEquals(410, again.statusCode(), "served once, and a second GET is told so");
            assertEquals(HttpStager.SERVED_ALREADY, new String(again.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(404, get(URI.create(secret.uri() + "0")).statusCode(), "an unknown secret is not found");
        }
    }

    @Test
    void ofManyGetsRacingForASecretExactlyOneGetsItAndTheOthersAreToldItWasServed() throws Exception {
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            URI uri = stager.stageSecret(new byte[] {4, 2}, "credentials.sealed").uri();
            int racers = 16;
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(racers);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(racers);
            try {
                List<java.util.concurrent.Future<HttpResponse<byte[]>>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    answers.add(pool.submit(() -> {
                        start.await();
                        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                    }));
                }
                List<Integer> statuses = new java.util.ArrayList<>();
                for (var answer : answers) {
                    HttpResponse<byte[]> response = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 200) {
                        assertArrayEquals(new byte[] {4, 2}, response.body());
                    }
                }
                assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
                assertEquals(racers - 1, statuses.stream().filter(s -> s == 410).count(), statuses.toString());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closingForgetsAnUnfetchedSecret() throws Exception {
        URI uri;
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            uri = stager.stageSecret(new byte[] {1}, "credentials.sealed").uri();
        }
        assertThrows(ConnectException.class, () -> get(uri));
    }

    @Test
    @Timeout(60)
    void aFileStillBeingWrittenIsServedAsItGrowsAndEndsOnlyOnceWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("context-1.tar.gz");
        Path partial = BuildSpec.partialContextFile(file);
        byte[] bytes = new byte[2 * 1024 * 1024 + 5];
        new Random(3).nextBytes(bytes);
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            // Staged before the packer has begun: the first GET waits for it.
            StagedFile staged = stager.stageGrowingFile(file, "context.tar.gz");
            assertTrue(stager.servesWhileWritten());
            HttpURLConnection connection = open(staged.uri());
            assertEquals(200, connection.getResponseCode());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(partial)) {
                out.write(bytes, 0, 1000);
                out.flush();
                // What is written is sent before the rest exists: a reader builds from it meanwhile.
                got.write(in.readNBytes(1000));
                CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
                    try {
                        out.write(bytes, 1000, bytes.length - 1000);
                        out.close();
                        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                in.transferTo(got);
                rest.get(30, TimeUnit.SECONDS);
            }
            assertArrayEquals(bytes, got.toByteArray());
            // A later GET (a retried task) gets the whole file as well.
            assertArrayEquals(bytes, get(staged.uri()).body());
        }
    }

    @Test
    @Timeout(60)
    void aFileThatStopsBeingWrittenEndsItsDownloadsInAnErrorNotAnEnd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("context-1.tar.gz");
        Path partial = BuildSpec.partialContextFile(file);
        byte[] bytes = new byte[300_000];
        new Random(5).nextBytes(bytes);
        try (HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            StagedFile staged = stager.stageGrowingFile(file, "context.tar.gz");
            Files.write(partial, bytes);
            HttpURLConnection connection = open(staged.uri());
            Process curl = new ProcessBuilder("curl", "-sS", "-f", "-N", "-o", dir.resolve("fetched").toString(),
                    staged.uri().toString()).redirectErrorStream(true).start();
            assertEquals(200, connection.getResponseCode());
            try (InputStream in = connection.getInputStream()) {
                assertArrayEquals(Arrays.copyOf(bytes, 1000), in.readNBytes(1000));
                Path fetched = dir.resolve("fetched");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!Files.exists(fetched) || Files.size(fetched) < bytes.length) {
                    assertTrue(curl.isAlive(), "curl got it all before the end");
                    assertTrue(System.nanoTime() < deadline, () -> {
                        try {
                            return "curl has " + (Files.exists(fetched) ? Files.size(fetched) : -1);
                        } catch (IOException e) {
                            return e.toString();
                        }
                    });
                    Thread.sleep(5);
                }
                // The packing fails: its partial file goes without becoming the file.
                Files.delete(partial);
                IOException error = assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()),
                        "a reader must not take what it got for the whole archive");
                assertFalse(error.getMessage() == null, error.toString());
            }
            // The Mesos fetcher's libcurl sees it too: "transfer closed with outstanding read data remaining".
            assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
            String said = new String(curl.getInputStream().readAllBytes());
            assertEquals(18, curl.exitValue(), said);
        }
    }

    @Test
    @Timeout(60)
    void closingTheStagerEndsADownloadUnderWayInAnError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("context-1.tar.gz");
        Files.write(BuildSpec.partialContextFile(file), new byte[70_000]);
        HttpStager stager = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom());
        StagedFile staged = stager.stageGrowingFile(file, "context.tar.gz");
        HttpURLConnection connection = open(staged.uri());
        assertEquals(200, connection.getResponseCode());
        try (InputStream in = connection.getInputStream()) {
            assertEquals(70_000, in.readNBytes(70_000).length);
            stager.close();
            assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    /**
     * On a port of the user's, the executor jar's URL is the same in every build (the agents' fetcher cache keys its
     * entries by URL) and says so; a build that finds the port taken serves on the next one; on any free port the URL
     * is this build's only.
     */
    @Test
    void onAGivenPortASharedFileHasTheSameUrlInEveryBuild(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("executor.jar"), new byte[] {4, 2});
        String sha = "0123456789abcdef".repeat(4);
        int port = freePort();
        try (HttpStager first = HttpStager.start(InetAddress.getLoopbackAddress(), port, new SecureRandom());
             HttpStager second = HttpStager.start(InetAddress.getLoopbackAddress(), port, new SecureRandom())) {
            StagedFile staged = first.stageSharedFile(jar, "portainer-executor.jar", sha);
            assertEquals(URI.create("http://127.0.0.1:" + port + "/shared/" + sha + "/portainer-executor.jar"),
                    staged.uri());
            assertTrue(staged.immutable(), "cacheable");
            assertArrayEquals(new byte[] {4, 2}, get(staged.uri()).body());
            assertEquals(404, get(staged.uri().resolve("/shared/" + sha + "/other.jar")).statusCode());

            assertEquals(port, first.port());
            assertTrue(second.port() > port && second.port() < port + HttpStager.PORT_TRIES, "the next free one");
            assertEquals(staged.uri().toString().replace(":" + port + "/", ":" + second.port() + "/"),
                    second.stageSharedFile(jar, "portainer-executor.jar", sha).uri().toString());
        }
        try (HttpStager any = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
            assertFalse(any.stageSharedFile(jar, "portainer-executor.jar", sha).immutable(),
                    "on any free port the URL is this build's: never cached");
            assertThrows(IllegalArgumentException.class, () -> any.stageSharedFile(jar, "x.jar", "../etc"));
        }
    }

    @Test
    void aGivenPortWhoseNextOnesAreAllTakenFailsNamingTheSetting() throws Exception {
        int port = freePort();
        List<java.net.ServerSocket> taken = new java.util.ArrayList<>();
        try {
            for (int p = port; p < port + HttpStager.PORT_TRIES; p++) {
                try {
                    taken.add(new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                } catch (IOException e) {
                    org.junit.jupiter.api.Assumptions.assumeTrue(false, "port " + p + " is in use already");
                }
            }
            StagingException e = assertThrows(StagingException.class,
                    () -> HttpStager.start(InetAddress.getLoopbackAddress(), port, new SecureRandom()));
            assertTrue(e.getMessage().contains("ports " + port + " to " + (port + HttpStager.PORT_TRIES - 1)
                    + " on 127.0.0.1 are all taken; set stagingPort"), e.getMessage());
        } finally {
            for (java.net.ServerSocket socket : taken) {
                socket.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static HttpURLConnection open(URI uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        connection.setReadTimeout(30_000);
        return connection;
    }

    private HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
