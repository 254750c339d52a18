package dev.portainer.core.staging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
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
            uri = stager.stageSharedFile(file, "portainer-executor.jar", "abc").uri();
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

    private HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
