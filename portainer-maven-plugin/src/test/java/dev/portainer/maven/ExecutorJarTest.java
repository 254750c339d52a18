package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.build.ExecutorJarFile;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor jar is extracted and hashed once per content, into a private per-user cache. */
class ExecutorJarTest {
    @TempDir
    Path tmp;

    @Test
    void theCacheFollowsXdgThenTheHomeDirectory() {
        assertEquals(Path.of("/xdg/portainer"), ExecutorJar.cacheDirectory(Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/portainer"), ExecutorJar.cacheDirectory(Map.of("XDG_CACHE_HOME",
                "relative"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/portainer"), ExecutorJar.cacheDirectory(Map.of(), "/home/u"));
        assertNull(ExecutorJar.cacheDirectory(Map.of(), "?"));
    }

    @Test
    void theKeyIsTheEntrysCrcAndSizeFromTheJarsIndexAndNoneOutsideAJar() throws Exception {
        URL inJar = resourceInJar("one");
        String key = ExecutorJar.cacheKey(inJar);
        assertNotNull(key);
        assertTrue(key.matches("[0-9a-f]{8}-3"), key);
        assertEquals(key, ExecutorJar.cacheKey(resourceInJar("one")), "same content, same key");
        assertTrue(!key.equals(ExecutorJar.cacheKey(resourceInJar("two"))), "other content, other key");
        assertNull(ExecutorJar.cacheKey(tmp.toUri().toURL()));
    }

    @Test
    void extractsAndHashesOnceThenOnlyChecksThatBothFilesAreThere() throws Exception {
        URL resource = resourceInJar("executor bytes");
        Path directory = tmp.resolve("cache/portainer/executor-key");

        ExecutorJarFile first = ExecutorJar.cached(resource, directory);
        assertEquals("executor bytes", Files.readString(first.jar()));
        assertEquals(sha256("executor bytes"), first.sha256());
        assertEquals(directory, first.classDataDirectory());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        FileTime written = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(first.jar(), written);

        ExecutorJarFile second = ExecutorJar.cached(resource, directory);
        assertEquals(first, second);
        assertEquals(written, Files.getLastModifiedTime(second.jar()), "an extracted jar is never rewritten");
        try (var files = Files.list(directory)) {
            assertEquals(2, files.count(), "no partial files are left");
        }
    }

    @Test
    void oldVersionsAreRemovedKeepingTheTwoUsedLastAndAnyUsedWithinTheHour() throws Exception {
        Path root = tmp.resolve("portainer");
        java.time.Instant now = java.time.Instant.parse("2026-11-25T12:00:00Z");
        // minutes since last use: v1..v3 days ago; v4 30 min, v5 10 min, v6 20 min
        long[] minutesAgo = {0, 3 * 1440, 2 * 1440, 1440, 30, 10, 20};
        for (int i = 1; i <= 6; i++) {
            Path entry = Files.createDirectories(root.resolve("executor-v" + i));
            Files.writeString(entry.resolve("portainer-executor.jar"), "jar " + i);
            Files.writeString(entry.resolve("portainer-executor.jar.sha256"), "sha");
            Files.setLastModifiedTime(entry.resolve("portainer-executor.jar.sha256"),
                    FileTime.from(now.minusSeconds(60 * minutesAgo[i])));
        }
        Path current = Files.createDirectories(root.resolve("executor-current"));
        Files.writeString(root.resolve("not-an-entry.txt"), "kept");

        ExecutorJar.prune(root, current, now);

        try (var entries = Files.list(root)) {
            // v5 and v6 are the two used last; v4 was used within the hour (a build of it may be running).
            assertEquals(java.util.Set.of("executor-current", "executor-v4", "executor-v5", "executor-v6",
                    "not-an-entry.txt"), entries.map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void aJarWithoutItsHashIsExtractedAgain() throws Exception {
        URL resource = resourceInJar("executor bytes");
        Path directory = tmp.resolve("executor-key");
        ExecutorJarFile first = ExecutorJar.cached(resource, directory);
        Files.delete(directory.resolve("portainer-executor.jar.sha256"));
        Files.writeString(first.jar(), "half");

        ExecutorJarFile again = ExecutorJar.cached(resource, directory);
        assertEquals("executor bytes", Files.readString(again.jar()));
        assertEquals(sha256("executor bytes"), again.sha256());
    }

    @Test
    void theEmbeddedJarIsThereAndFallsBackToTheWorkDirectoryOutsideAJar() throws Exception {
        // In this module's tests the resource is a plain file under target/classes: no key, so no cache.
        ExecutorJarFile jar = ExecutorJar.extract(tmp.resolve("work"));
        assertEquals(tmp.resolve("work/portainer-executor.jar"), jar.jar());
        assertNull(jar.classDataDirectory());
        assertTrue(Files.size(jar.jar()) > 1_000_000, "the shaded executor is embedded");
        try (var in = Files.newInputStream(jar.jar())) {
            assertEquals(sha256(in.readAllBytes()), jar.sha256());
        }
    }

    private URL resourceInJar(String content) throws Exception {
        Path jar = Files.createTempFile(tmp, "plugin", ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/portainer/portainer-executor.jar"));
            out.write(content.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return URI.create("jar:" + jar.toUri() + "!/META-INF/portainer/portainer-executor.jar").toURL();
    }

    private static String sha256(String content) throws Exception {
        return sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
