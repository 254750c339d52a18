package dev.portainer.local.agent;

import com.sun.net.httpserver.HttpServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetcher follows Mesos's URI rules: copy, download, hadoop for other schemes, extract, output_file, chmod. */
class FetcherTest {
    @TempDir
    Path tmp;
    private Path sandbox;
    private HttpServer server;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private final Fetcher fetcher = new Fetcher(HttpClient.newHttpClient(), Map.of("PATH", "/nonexistent"));
    /** How many requests the test's server answered. */
    private final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        sandbox = Files.createDirectories(tmp.resolve("sandbox"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/files/", exchange -> {
            served.incrementAndGet();
            Path file = tmp.resolve("served").resolve(exchange.getRequestURI().getPath().substring(7));
            if (!Files.exists(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        Files.createDirectories(tmp.resolve("served"));
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    @Test
    void copiesFileUrisAndLocalPathsIntoTheSandbox() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.txt"), "alpha");
        Path b = Files.writeString(tmp.resolve("b.txt"), "beta");
        fetcher.fetchAll(List.of(uri(a.toUri().toString()), uri(b.toString())), sandbox, log);
        assertEquals("alpha", Files.readString(sandbox.resolve("a.txt")));
        assertEquals("beta", Files.readString(sandbox.resolve("b.txt")));
        assertTrue(logBytes.toString().contains("Fetching URI '" + b + "'"), logBytes.toString());
    }

    @Test
    void linksLocalFilesInsteadOfCopyingThemAndKeepsTheirTime() throws Exception {
        Path jar = Files.writeString(tmp.resolve("portainer-executor.jar"), "jar bytes");
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        fetcher.fetchAll(List.of(uri(jar.toUri().toString())), sandbox, log);
        Path fetched = sandbox.resolve("portainer-executor.jar");
        // One inode: nothing was read or written, and the executor's class-data archive still matches the jar.
        assertTrue(Files.isSameFile(jar, fetched), logBytes.toString());
        assertEquals(Files.getLastModifiedTime(jar), Files.getLastModifiedTime(fetched));
        assertTrue(logBytes.toString().contains("Linked resource '" + jar + "'"), logBytes.toString());
    }

    @Test
    void copiesALocalFileToBeMadeExecutableSoThatTheOriginalKeepsItsMode() throws Exception {
        Path tool = Files.writeString(tmp.resolve("tool.sh"), "#!/bin/sh\n");
        Files.setLastModifiedTime(tool, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        CommandInfo.URI executable = uri(tool.toUri().toString()).toBuilder().setExecutable(true).build();
        fetcher.fetchAll(List.of(executable), sandbox, log);
        Path fetched = sandbox.resolve("tool.sh");
        assertFalse(Files.isSameFile(tool, fetched));
        assertTrue(Files.isExecutable(fetched));
        assertFalse(Files.isExecutable(tool), "the original must not be chmodded through a link");
        assertEquals(Files.getLastModifiedTime(tool), Files.getLastModifiedTime(fetched), "a copy keeps the time");
        assertTrue(logBytes.toString().contains("Copying resource with command:cp"), logBytes.toString());
    }

    @Test
    void downloadsHttpUrisHonouringOutputFileAndExecutable() throws Exception {
        Files.writeString(tmp.resolve("served/tool.sh"), "#!/bin/sh\necho hi\n");
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/tool.sh?token=x";
        fetcher.fetchAll(List.of(uri(url).toBuilder().setOutputFile("bin/run.sh").setExecutable(true).build(),
                uri(url)), sandbox, log);
        assertTrue(Files.isExecutable(sandbox.resolve("bin/run.sh")));
        assertEquals("#!/bin/sh\necho hi\n", Files.readString(sandbox.resolve("bin/run.sh")));
        assertEquals("#!/bin/sh\necho hi\n", Files.readString(sandbox.resolve("tool.sh")), "query string dropped");
        assertFalse(Files.isExecutable(sandbox.resolve("tool.sh")));
    }

    @Test
    void extractsArchivesUnlessExtractIsFalse() throws Exception {
        Path archive = tarGz(tmp.resolve("served/context.tar.gz"));
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/context.tar.gz";
        fetcher.fetchAll(List.of(uri(url)), sandbox, log);
        assertEquals("FROM scratch\n", Files.readString(sandbox.resolve("ctx/Dockerfile")));
        assertTrue(Files.isExecutable(sandbox.resolve("ctx/run.sh")), "mode bits kept");
        assertTrue(Files.exists(sandbox.resolve("context.tar.gz")), "the archive stays, like Mesos");

        Path other = Files.createDirectories(tmp.resolve("other"));
        fetcher.fetchAll(List.of(uri(archive.toString()).toBuilder().setExtract(false).build()), other, log);
        assertTrue(Files.exists(other.resolve("context.tar.gz")));
        assertFalse(Files.exists(other.resolve("ctx")), "extract=false leaves the archive packed");
    }

    /**
     * A URI whose {@code cache} is true is downloaded once per user into the agent's cache directory
     * ({@code <dir>/<user>/c<n>-<basename>}) and copied from there into every sandbox, as the agent's fetcher does.
     */
    @Test
    void aCachedUriIsDownloadedOncePerUserAndCopiedFromTheCacheIntoEachSandbox() throws Exception {
        Files.writeString(tmp.resolve("served/portainer-executor-0123456789abcdef.jar"), "jar bytes");
        String url = "http://127.0.0.1:" + server.getAddress().getPort()
                + "/files/portainer-executor-0123456789abcdef.jar";
        CommandInfo.URI cached = uri(url).toBuilder().setOutputFile("portainer-executor.jar").setCache(true).build();
        Fetcher caching = new Fetcher(HttpClient::newHttpClient, Map.of("PATH", "/nonexistent"),
                FetcherCache.at(tmp.resolve("fetch"), FetcherCache.DEFAULT_SIZE));

        caching.fetchAll(List.of(cached), sandbox, log, "ci");
        Path second = Files.createDirectories(tmp.resolve("second"));
        caching.fetchAll(List.of(cached), second, log, "ci");

        assertEquals(1, served.get(), "downloaded once: " + logBytes);
        assertEquals("jar bytes", Files.readString(second.resolve("portainer-executor.jar")));
        assertEquals("jar bytes", Files.readString(sandbox.resolve("portainer-executor.jar")));
        // Named as the agent names it: a serial, then 10 + 10 characters of a long basename.
        assertEquals("jar bytes", Files.readString(tmp.resolve("fetch/ci/c1-portainer-_abcdef.jar")));
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("Fetching URI '" + url + "' from cache"),
                logBytes.toString(StandardCharsets.UTF_8));
        // Another user's fetch downloads it again, into its own directory.
        caching.fetchAll(List.of(cached), Files.createDirectories(tmp.resolve("third")), log, "other");
        assertEquals(2, served.get());
        assertTrue(Files.exists(tmp.resolve("fetch/other/c2-portainer-_abcdef.jar")));
        // Without cache the same URI is fetched directly, as before.
        caching.fetchAll(List.of(uri(url)), Files.createDirectories(tmp.resolve("fourth")), log, "ci");
        assertEquals(3, served.get());
    }

    @Test
    void aCachedUriThatCannotBeDownloadedIsForgottenAndTriedAgainByTheNextFetch() throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/later.jar";
        CommandInfo.URI cached = uri(url).toBuilder().setCache(true).build();
        Fetcher caching = new Fetcher(HttpClient::newHttpClient, Map.of("PATH", "/nonexistent"),
                FetcherCache.at(tmp.resolve("fetch"), FetcherCache.DEFAULT_SIZE));

        assertThrows(Fetcher.FetchException.class, () -> caching.fetchAll(List.of(cached), sandbox, log, "ci"));
        Files.writeString(tmp.resolve("served/later.jar"), "now");
        caching.fetchAll(List.of(cached), sandbox, log, "ci");

        assertEquals("now", Files.readString(sandbox.resolve("later.jar")));
        assertEquals(2, served.get());
    }

    @Test
    void theLeastRecentlyUsedEntriesGoWhenTheCacheOutgrowsItsSize() throws Exception {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/";
        for (String name : List.of("a.jar", "b.jar", "c.jar")) {
            Files.writeString(tmp.resolve("served/" + name), "12345678");
        }
        FetcherCache cache = FetcherCache.at(tmp.resolve("fetch"), 20);
        Fetcher caching = new Fetcher(HttpClient::newHttpClient, Map.of("PATH", "/nonexistent"), cache);

        caching.fetchAll(List.of(uri(base + "a.jar").toBuilder().setCache(true).build(),
                uri(base + "b.jar").toBuilder().setCache(true).build()), sandbox, log, "ci");
        // a.jar used again: b.jar is now the least recently used, and goes for c.jar.
        caching.fetchAll(List.of(uri(base + "a.jar").toBuilder().setCache(true).build()), sandbox, log, "ci");
        caching.fetchAll(List.of(uri(base + "c.jar").toBuilder().setCache(true).build()), sandbox, log, "ci");

        assertEquals(16, cache.used());
        assertTrue(Files.exists(tmp.resolve("fetch/ci/c1-a.jar")));
        assertFalse(Files.exists(tmp.resolve("fetch/ci/c2-b.jar")), "evicted");
        assertTrue(Files.exists(tmp.resolve("fetch/ci/c3-c.jar")));
        assertEquals(3, served.get());
    }

    @Test
    void failsWithTheUriAndTheCause() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/missing.jar";
        Fetcher.FetchException http = assertThrows(Fetcher.FetchException.class,
                () -> fetcher.fetchAll(List.of(uri(url)), sandbox, log));
        assertEquals("Failed to fetch '" + url + "': Error downloading resource, received HTTP return code 404",
                http.getMessage());

        Fetcher.FetchException hdfs = assertThrows(Fetcher.FetchException.class,
                () -> fetcher.fetchAll(List.of(uri("hdfs://namenode:8020/x.jar")), sandbox, log));
        assertTrue(hdfs.getMessage().startsWith("Failed to fetch 'hdfs://namenode:8020/x.jar': "), hdfs.getMessage());
        assertEquals("Failed to fetch 'hdfs://namenode:8020/x.jar': Failed to create HDFS client: Hadoop client is"
                + " not available, exit status: 32512", hdfs.getMessage(), "Mesos's own words");
        assertTrue(logBytes.toString().contains("Failed to fetch"), "errors are logged to the sandbox stderr");
    }

    @Test
    void runsHadoopForOtherSchemes() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("hadoop/bin"));
        Path hadoop = Files.writeString(home.resolve("hadoop"),
                "#!/bin/sh\n[ \"$1 $2\" = \"fs -copyToLocal\" ] || exit 2\necho \"copied $3\" > \"$4\"\n");
        hadoop.toFile().setExecutable(true);
        Fetcher withHadoop = new Fetcher(HttpClient.newHttpClient(),
                Map.of("HADOOP_HOME", tmp.resolve("hadoop").toString(), "PATH", "/usr/bin:/bin"));
        withHadoop.fetchAll(List.of(uri("hdfs://namenode:8020/ctx/executor.jar")), sandbox, log);
        assertEquals("copied hdfs://namenode:8020/ctx/executor.jar\n",
                Files.readString(sandbox.resolve("executor.jar")));
    }

    private static CommandInfo.URI uri(String value) {
        return CommandInfo.URI.newBuilder().setValue(value).build();
    }

    private static Path tarGz(Path target) throws Exception {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GzipCompressorOutputStream(Files.newOutputStream(target)))) {
            add(tar, "ctx/Dockerfile", "FROM scratch\n", 0644);
            add(tar, "ctx/run.sh", "#!/bin/sh\n", 0755);
        }
        return target;
    }

    private static void add(TarArchiveOutputStream tar, String name, String content, int mode) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
