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

    @BeforeEach
    void setUp() throws Exception {
        sandbox = Files.createDirectories(tmp.resolve("sandbox"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/files/", exchange -> {
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
