package dev.portainer.core.staging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** For the embedded agent: files by path, the secret still once over HTTP. */
class LocalFileStagerTest {
    @TempDir
    Path tmp;

    @Test
    void filesAreGivenByPathAndTheSecretIsServedOnce() throws Exception {
        Path context = Files.writeString(Files.createDirectories(tmp.resolve("dir with space"))
                .resolve("context-1.tar.gz"), "ctx");
        Path jar = Files.writeString(tmp.resolve("portainer-executor.jar"), "jar");
        HttpClient http = HttpClient.newHttpClient();
        try (LocalFileStager stager = new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(),
                new SecureRandom()))) {
            StagedFile staged = stager.stageBuildFile(context, "context.tar.gz", "abc");
            assertEquals(context.toUri(), staged.uri());
            assertEquals("context.tar.gz", staged.fileName());
            assertEquals(jar.toUri(), stager.stageSharedFile(jar, "portainer-executor.jar", "def").uri());
            assertThrows(IllegalArgumentException.class, () -> stager.stageBuildFile(tmp, "x"));

            StagedSecret secret = stager.stageSecret(new byte[] {1, 2, 3}, "credentials.sealed");
            assertFalse(secret.viaFetcher(), "never a fetcher URI, never on the agent's disk");
            assertEquals("http", secret.uri().getScheme());
            HttpRequest get = HttpRequest.newBuilder(secret.uri()).GET().build();
            assertArrayEquals(new byte[] {1, 2, 3}, http.send(get, HttpResponse.BodyHandlers.ofByteArray()).body());
            assertEquals(410, http.send(get, HttpResponse.BodyHandlers.ofByteArray()).statusCode(), "served once");
        }
        assertEquals("ctx", Files.readString(context), "the build removes its own context, not the stager");
    }
}
