package dev.portainer.maven;

import dev.portainer.core.build.ExecutorJarFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.stream.Stream;

/**
 * The self-contained executor jar the plugin carries inside itself, so no one has to upload it by hand.
 *
 * <p>It is 17 MB (33 MB when this was measured): inflating it and hashing it on every build cost ~0.2 s. So it is extracted once per content into a
 * per-user cache ({@code $XDG_CACHE_HOME/portainer}, else {@code ~/.cache/portainer}), in a directory named by the
 * CRC-32 and size the plugin jar's own index records for it (read without inflating anything), next to its SHA-256;
 * later builds only check that both files are there. The embedded agent's executors also keep their class-data
 * archive there (core's {@code ExecutorClassData}). When the cache cannot be used (read-only home), the jar is
 * extracted into the build's work directory as before.
 */
final class ExecutorJar {
    static final String RESOURCE = "/META-INF/portainer/portainer-executor.jar";
    static final String FILE = "portainer-executor.jar";
    private static final String SHA_FILE = FILE + ".sha256";
    /** Other versions kept in the cache whatever their age. */
    static final int KEPT_VERSIONS = 2;

    private ExecutorJar() {
    }

    /** The jar for this build: from the cache when possible, else extracted into {@code workDirectory}. */
    static ExecutorJarFile extract(Path workDirectory) throws IOException {
        URL resource = resource();
        Path cache = cacheDirectory(System.getenv(), System.getProperty("user.home"));
        String key = cacheKey(resource);
        if (cache != null && key != null) {
            try {
                return cached(resource, cache.resolve("executor-" + key));
            } catch (IOException | RuntimeException e) {
                // A read-only or full home directory: the build still works, only slower.
            }
        }
        return extractTo(workDirectory);
    }

    /** Copies the embedded jar into {@code workDirectory} (and hashes it), whatever is already there. */
    static ExecutorJarFile extractTo(Path workDirectory) throws IOException {
        Files.createDirectories(workDirectory);
        Path jar = workDirectory.resolve(FILE);
        String sha = copy(resource(), workDirectory, jar);
        return new ExecutorJarFile(jar, sha);
    }

    /** {@code $XDG_CACHE_HOME/portainer}, else {@code ~/.cache/portainer}; null when neither can be known. */
    static Path cacheDirectory(Map<String, String> environment, String userHome) {
        String xdg = environment.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "portainer");
        }
        if (userHome == null || userHome.isBlank() || "?".equals(userHome)) {
            return null;
        }
        return Path.of(userHome, ".cache", "portainer");
    }

    /** The jar in {@code directory}, extracted and hashed there first if it is not complete yet. */
    static ExecutorJarFile cached(URL resource, Path directory) throws IOException {
        Path jar = directory.resolve(FILE);
        Path shaFile = directory.resolve(SHA_FILE);
        if (Files.isRegularFile(jar) && Files.isRegularFile(shaFile)) {
            String sha = Files.readString(shaFile, StandardCharsets.US_ASCII).trim();
            if (sha.matches("[0-9a-f]{64}")) {
                // The hash file's time says when the entry was last used (see prune); a read-only cache is
                // still a cache.
                try {
                    Files.setLastModifiedTime(shaFile, FileTime.from(Instant.now()));
                } catch (IOException e) {
                    // pruning may then take it for unused, which only costs a re-extraction
                }
                return new ExecutorJarFile(jar, sha, directory);
            }
        }
        createPrivateDirectories(directory);
        // Several builds (mvn -T 4) may get here at once: each writes its own temporary file and moves it in whole,
        // the jar before its hash, so a hash file always names a complete jar.
        String sha = copy(resource, directory, jar);
        Path partial = Files.createTempFile(directory, SHA_FILE, ".partial");
        try {
            Files.writeString(partial, sha + "\n", StandardCharsets.US_ASCII);
            move(partial, shaFile);
        } finally {
            Files.deleteIfExists(partial);
        }
        if (directory.getParent() != null) {
            prune(directory.getParent(), directory, Instant.now());
        }
        return new ExecutorJarFile(jar, sha, directory);
    }

    /**
     * Keeps the cache from growing by ~55 MB (jar and class-data archive) with every plugin version, or with every
     * rebuild of a snapshot: removes the other entries not used for an hour (another version's build may be
     * running), except the two used last. Never throws; what cannot be removed stays.
     */
    static void prune(Path cacheRoot, Path keep, Instant now) {
        List<Path> others = new ArrayList<>();
        try (Stream<Path> entries = Files.list(cacheRoot)) {
            entries.filter(p -> p.getFileName().toString().startsWith("executor-") && !p.equals(keep)
                    && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(others::add);
        } catch (IOException | RuntimeException e) {
            return;
        }
        others.sort(Comparator.comparing(ExecutorJar::lastUsed).reversed());
        for (Path entry : others.subList(Math.min(KEPT_VERSIONS, others.size()), others.size())) {
            if (lastUsed(entry).toInstant().isBefore(now.minus(Duration.ofHours(1)))) {
                deleteTree(entry);
            }
        }
    }

    private static FileTime lastUsed(Path entry) {
        try {
            Path sha = entry.resolve(SHA_FILE);
            return Files.getLastModifiedTime(Files.exists(sha) ? sha : entry);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void deleteTree(Path entry) {
        try (Stream<Path> files = Files.walk(entry)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the next build to try
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // left for the next build to try
        }
    }

    private static URL resource() throws IOException {
        URL resource = ExecutorJar.class.getResource(RESOURCE);
        if (resource == null) {
            throw new IOException("the plugin jar lacks " + RESOURCE + "; it was built without the executor "
                    + "(rebuild portainer-maven-plugin with its portainer-executor dependency)");
        }
        return resource;
    }

    /**
     * The entry's CRC-32 and size from the plugin jar's central directory, or null when the resource is not in a jar
     * (a plugin run from classes, in the plugin's own tests: then it is extracted every time).
     */
    static String cacheKey(URL resource) {
        try {
            URLConnection connection = resource.openConnection();
            if (connection instanceof JarURLConnection jar) {
                jar.setUseCaches(true);
                JarEntry entry = jar.getJarEntry();
                if (entry != null && entry.getCrc() >= 0 && entry.getSize() >= 0) {
                    return String.format("%08x-%d", entry.getCrc(), entry.getSize());
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** Copies the resource to {@code target} through a temporary file in {@code directory}; returns its SHA-256. */
    private static String copy(URL resource, Path directory, Path target) throws IOException {
        Path partial = Files.createTempFile(directory, FILE, ".partial");
        try {
            MessageDigest digest = sha256();
            try (InputStream in = resource.openStream();
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), digest)) {
                in.transferTo(out);
            }
            move(partial, target);
            return HexFormat.of().formatHex(digest.digest());
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void createPrivateDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Another build made it first.
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(directory);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
