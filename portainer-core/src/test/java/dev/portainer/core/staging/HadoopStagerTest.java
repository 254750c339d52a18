package dev.portainer.core.staging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopStagerTest {

    private static HadoopStager open(java.net.URI root, StagingListener listener) throws StagingException {
        return HadoopStager.open(new HadoopStaging(root, null, Map.of(), null), Map.of(), new SecureRandom(),
                listener, java.time.Clock.systemUTC());
    }

    @Test
    void stagesContextPrivatelyAndRemovesItOnClose(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("stage"));
        Path context = Files.write(dir.resolve("ctx.tar.gz"), new byte[] {5, 6, 7});
        List<String> warnings = new ArrayList<>();
        Path staged;
        try (HadoopStager stager = open(root.toUri(), StagingListener.of(i -> { }, warnings::add))) {
            StagedFile file = stager.stageBuildFile(context, "context.tar.gz");
            // the Mesos fetcher strips "file://" and wants an absolute path: file:/x would be relative to it
            assertTrue(file.uri().toString().startsWith("file:///"), file.uri().toString());
            staged = Path.of(file.uri());
            assertTrue(staged.startsWith(root.resolve("builds")), staged.toString());
            assertArrayEquals(new byte[] {5, 6, 7}, Files.readAllBytes(staged));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged.getParent())));
        }
        assertFalse(Files.exists(staged.getParent()), "build directory must be gone after close");
        assertEquals(List.of(), warnings);
    }

    @Test
    void stagesASecretOwnerOnlyForTheFetcherAndRemovesItOnClose(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("stage"));
        Path staged;
        try (HadoopStager stager = open(root.toUri(), StagingListener.of(i -> { }, w -> { }))) {
            StagedSecret secret = stager.stageSecret(new byte[] {3, 1, 4}, "credentials.sealed");
            assertTrue(secret.viaFetcher(), "agents reach a Hadoop filesystem only through the fetcher");
            staged = Path.of(secret.uri());
            assertArrayEquals(new byte[] {3, 1, 4}, Files.readAllBytes(staged));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged)));
        }
        assertFalse(Files.exists(staged), "the staged secret must not outlive the build");
    }

    @Test
    void keepsSharedExecutorJarAndNeverUploadsItTwice(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("stage"));
        Path jar = Files.write(dir.resolve("executor.jar"), new byte[] {1});
        Path stagedJar;
        try (HadoopStager stager = open(root.toUri(), StagingListener.of(i -> { }, w -> { }))) {
            stagedJar = Path.of(stager.stageSharedFile(jar, "portainer-executor.jar", "feed").uri());
        }
        assertEquals(root.resolve("executors/feed.jar"), stagedJar);
        assertTrue(Files.exists(stagedJar), "shared jar stays for later builds");
        long modified = Files.getLastModifiedTime(stagedJar).toMillis();

        Files.write(jar, new byte[] {2});
        Thread.sleep(20);
        try (HadoopStager stager = open(root.toUri(), StagingListener.of(i -> { }, w -> { }))) {
            stager.stageSharedFile(jar, "portainer-executor.jar", "feed");
        }
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(stagedJar), "content-addressed file is not rewritten");
        assertEquals(modified, Files.getLastModifiedTime(stagedJar).toMillis());
    }
}
