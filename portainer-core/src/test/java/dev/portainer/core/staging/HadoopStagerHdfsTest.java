package dev.portainer.core.staging;

import dev.portainer.core.config.Setting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** HadoopStager against a real HDFS (namenode and datanode in this JVM): layout, permissions, reuse, failures. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HadoopStagerHdfsTest {
    private static final Map<String, String> CLIENT = Map.of("dfs.replication", "1");

    private MiniHdfs hdfs;
    private DistributedFileSystem fs;

    @BeforeAll
    void startHdfs() throws IOException {
        hdfs = MiniHdfs.start();
        fs = hdfs.fs();
    }

    @AfterAll
    void stopHdfs() throws IOException {
        hdfs.close();
    }

    private URI root() {
        return hdfs.uri().resolve("/stage-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static Path bytes(Path dir, String name, int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    private HadoopStager open(URI root, String fetchUriBase, Recorder recorder) throws StagingException {
        return HadoopStager.open(new HadoopStaging(root, null, CLIENT, fetchUriBase), Map.of(), new SecureRandom(),
                recorder, Clock.systemUTC());
    }

    @Test
    void stagesPrivatelyUploadsTheJarOnceAndRemovesTheBuildDirectory(@TempDir Path dir) throws Exception {
        URI root = root();
        Path context = bytes(dir, "ctx.tar.gz", 300_000);
        Path jar = bytes(dir, "executor.jar", 200_000);
        Recorder events = new Recorder();
        URI buildDir;
        StagedFile stagedJar;
        try (HadoopStager stager = open(root, "hadoop", events)) {
            stagedJar = stager.stageSharedFile(jar, "portainer-executor.jar", "abc123");
            StagedFile staged = stager.stageBuildFile(context, "context.tar.gz", "ctxsha");
            buildDir = stager.buildDirectory();
            // The agents get the hdfs:// URI itself: their fetcher runs `hadoop fs -copyToLocal`.
            assertEquals("hdfs", staged.uri().getScheme());
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(staged.uri());
            assertEquals(new FsPermission((short) 0600), fs.getFileStatus(path).getPermission());
            assertEquals(new FsPermission((short) 0700), fs.getFileStatus(path.getParent()).getPermission());
            assertEquals(new FsPermission((short) 0700), fs.getFileStatus(path.getParent().getParent())
                    .getPermission());
            assertEquals(new FsPermission((short) 0600), fs.getFileStatus(new org.apache.hadoop.fs.Path(
                    stagedJar.uri())).getPermission());
            assertArrayEquals(Files.readAllBytes(context), fs.open(path).readAllBytes());
            assertTrue(buildDir.getPath().matches(".*/builds/[0-9a-f]{32}"), buildDir.toString());
            // Content-addressed and kept: the agents may cache the jar; the build's own context never.
            assertTrue(stagedJar.immutable());
            assertFalse(staged.immutable());

            // The same context again within the build is not uploaded again.
            assertEquals(staged, stager.stageBuildFile(context, "context.tar.gz", "ctxsha"));
            assertEquals(500_000, stager.bytesUploaded());
        }
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(buildDir)), "build directory removed on close");
        org.apache.hadoop.fs.Path jarPath = new org.apache.hadoop.fs.Path(stagedJar.uri());
        assertTrue(jarPath.toString().endsWith("/executors/abc123.jar"), jarPath.toString());
        FileStatus before = fs.getFileStatus(jarPath);

        try (HadoopStager stager = open(root, "hadoop", events)) {
            assertEquals(stagedJar, stager.stageSharedFile(jar, "portainer-executor.jar", "abc123"));
            stager.stageBuildFile(context, "context.tar.gz", "ctxsha");
            assertEquals(300_000, stager.bytesUploaded(), "only the context is uploaded by the second build");
        }
        FileStatus after = fs.getFileStatus(jarPath);
        assertEquals(before.getModificationTime(), after.getModificationTime());
        assertEquals(fs.getFileStatus(jarPath).getLen(), 200_000);
        assertTrue(events.infos.contains("Executor jar already staged at " + jarPath + ", not uploading it again"),
                events.infos.toString());
        assertEquals(List.of(), events.warnings);
        assertEquals(0, fs.listStatus(new org.apache.hadoop.fs.Path(root.getPath(), "builds")).length);
    }

    @Test
    void webHdfsUrlReadsAsTheStagingUserOnlyAndStopsWorkingAfterTheBuild(@TempDir Path dir) throws Exception {
        Path context = bytes(dir, "ctx.tar.gz", 100_000);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI fetch;
        Map<String, String> conf = Map.of("dfs.replication", "1", "dfs.namenode.http-address", hdfs.httpAddress());
        try (HadoopStager stager = HadoopStager.open(new HadoopStaging(root(), null, conf, null), Map.of(),
                new SecureRandom(), new Recorder(), Clock.systemUTC())) {
            fetch = stager.stageBuildFile(context, "context.tar.gz").uri();
            assertEquals("http://" + hdfs.httpAddress(), fetch.getScheme() + "://" + fetch.getAuthority());
            assertTrue(fetch.getPath().startsWith("/webhdfs/v1/stage-"), fetch.toString());
            assertEquals("op=OPEN&user.name=" + UserGroupInformation.getCurrentUser().getShortUserName(),
                    fetch.getQuery());

            HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(fetch).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, got.statusCode(), () -> new String(got.body()));
            assertArrayEquals(Files.readAllBytes(context), got.body());

            // 0600: another user (or anonymous) cannot read the context through WebHDFS.
            URI anonymous = URI.create(fetch.toString().replaceFirst("&user.name=.*", ""));
            URI other = URI.create(fetch.toString().replaceFirst("user.name=.*", "user.name=mallory"));
            for (URI uri : List.of(anonymous, other)) {
                int status = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                assertEquals(403, status, uri.toString());
            }
        }
        assertEquals(404, http.send(HttpRequest.newBuilder(fetch).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode());
    }

    @Test
    void reportsUploadProgressEveryTenPercentForLargeFiles(@TempDir Path dir) throws Exception {
        Path context = bytes(dir, "ctx.tar.gz", 6 * 1024 * 1024);
        Recorder events = new Recorder();
        try (HadoopStager stager = open(root(), "hadoop", events)) {
            stager.stageBuildFile(context, "context.tar.gz");
        }
        List<String> progress = events.infos.stream().filter(l -> l.startsWith("Uploading context.tar.gz")).toList();
        assertEquals(10, progress.size(), progress.toString());
        assertTrue(progress.get(0).matches("Uploading context\\.tar\\.gz:  10% \\(0\\.6 MB of 6\\.0 MB\\) at "
                + "[0-9.]+ MB/s, [0-9]+ s left"), progress.get(0));
        assertTrue(progress.get(9).matches("Uploading context\\.tar\\.gz: 100% \\(6\\.0 MB of 6\\.0 MB\\) at "
                + "[0-9.]+ MB/s, done in [0-9.]+ s"), progress.get(9));
    }

    @Test
    void removesBuildDirectoriesLeftOverForADayAndKeepsRecentOnes(@TempDir Path dir) throws Exception {
        URI root = root();
        org.apache.hadoop.fs.Path builds = new org.apache.hadoop.fs.Path(root.getPath(), "builds");
        org.apache.hadoop.fs.Path old = new org.apache.hadoop.fs.Path(builds, "0ld");
        org.apache.hadoop.fs.Path running = new org.apache.hadoop.fs.Path(builds, "running");
        fs.mkdirs(old);
        fs.create(new org.apache.hadoop.fs.Path(old, "context.tar.gz")).close();
        fs.mkdirs(running);
        long twoDaysAgo = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        fs.setTimes(old, twoDaysAgo, twoDaysAgo);
        Recorder events = new Recorder();
        try (HadoopStager stager = open(root, "hadoop", events)) {
            assertFalse(fs.exists(old), "a day-old leftover is removed");
            assertTrue(fs.exists(running), "a recent directory may belong to a running build");
        }
        assertTrue(events.infos.stream().anyMatch(l -> l.startsWith("Removed hdfs://") && l.contains("/builds/0ld,"
                + " left behind by a build that did not finish")), events.infos.toString());
    }

    @Test
    void namenodeDownFailsWithTheAddressToCheck() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI down = URI.create("hdfs://127.0.0.1:" + port + "/stage");
        StagingException e = assertThrows(StagingException.class, () -> HadoopStager.open(
                new HadoopStaging(down, null, Map.of("ipc.client.connect.max.retries", "0"), "hadoop"), Map.of(),
                new SecureRandom(), new Recorder(), Clock.systemUTC()));
        assertTrue(e.getMessage().startsWith("Cannot stage on " + down + ": cannot connect ("), e.getMessage());
        assertTrue(e.getMessage().contains("check that the namenode is up and that stagingUri names its address"),
                e.getMessage());
        assertEquals(List.of(Setting.STAGING_URI), e.explanation().settings());
    }

    @Test
    void permissionDeniedNamesTheFixAndLeavesNothing() throws Exception {
        org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/locked-" + UUID.randomUUID());
        fs.mkdirs(locked);
        fs.setPermission(locked, new FsPermission((short) 0755));
        URI root = hdfs.uri().resolve(locked + "/stage");
        UserGroupInformation mallory = UserGroupInformation.createRemoteUser("mallory");
        StagingException e = mallory.doAs((PrivilegedExceptionAction<StagingException>) () -> assertThrows(
                StagingException.class, () -> open(root, "hadoop", new Recorder())));
        assertTrue(e.getMessage().contains(": permission denied (Permission denied: user=mallory, access=WRITE"),
                e.getMessage());
        assertTrue(e.getMessage().contains("choose a stagingUri you can write to, e.g. under your HDFS home"
                + " directory (hdfs://namenode:8020/user/mallory/portainer)"), e.getMessage());
        assertEquals(List.of(Setting.STAGING_URI), e.explanation().settings());
        assertEquals(0, fs.listStatus(locked).length);
    }

    @Test
    void quotaExceededNamesTheFixAndLeavesNothing(@TempDir Path dir) throws Exception {
        URI root = root();
        org.apache.hadoop.fs.Path rootPath = new org.apache.hadoop.fs.Path(root.getPath());
        fs.mkdirs(rootPath);
        fs.setQuota(rootPath, HdfsConstants.QUOTA_DONT_SET, 512 * 1024);
        Path context = bytes(dir, "ctx.tar.gz", 100_000);
        StagingException e;
        try (HadoopStager stager = open(root, "hadoop", new Recorder())) {
            e = assertThrows(StagingException.class, () -> stager.stageBuildFile(context, "context.tar.gz"));
        }
        assertTrue(e.getMessage().startsWith("Cannot upload ctx.tar.gz to hdfs://"), e.getMessage());
        assertTrue(e.getMessage().contains("the quota of the staging directory is exceeded (The DiskSpace quota"),
                e.getMessage());
        assertTrue(e.getMessage().contains("have its quota raised (hdfs dfsadmin -setSpaceQuota / -setQuota)"),
                e.getMessage());
        assertEquals(0, fs.listStatus(new org.apache.hadoop.fs.Path(rootPath, "builds")).length);
    }

    @Test
    void badUrisNameTheFix() {
        StagingException noScheme = assertThrows(StagingException.class, () -> open(URI.create("/tmp/stage"),
                null, new Recorder()));
        assertTrue(noScheme.getMessage().contains("has no scheme: use e.g. hdfs://namenode:8020/tmp/portainer"),
                noScheme.getMessage());
        StagingException unknown = assertThrows(StagingException.class, () -> open(URI.create("ftps2://x/stage"),
                null, new Recorder()));
        assertEquals("Cannot stage on ftps2://x/stage: no Hadoop filesystem for the scheme 'ftps2'; use an hdfs://,"
                + " webhdfs://, file:// or s3a:// (with hadoop-aws) stagingUri", unknown.getMessage());
        StagingException s3a = assertThrows(StagingException.class, () -> open(URI.create("s3a://bucket/stage"),
                null, new Recorder()));
        assertTrue(s3a.getMessage().contains("add org.apache.hadoop:hadoop-aws:3.4.2 to classpath"), s3a.getMessage());
        assertEquals(List.of(Setting.PLUGIN_CLASSPATH), s3a.explanation().settings());
        StagingException badBase = assertThrows(StagingException.class, () -> open(root(), "ftp://nn:9870",
                new Recorder()));
        assertTrue(badBase.getMessage().contains("fetchUriBase 'ftp://nn:9870' is neither auto, hadoop nor an"
                + " http(s)://host:port WebHDFS address; fix fetchUriBase"), badBase.getMessage());
        assertEquals(List.of(Setting.FETCH_URI_BASE), badBase.explanation().settings());
    }

    /** Collects what the stager reports. */
    static final class Recorder implements StagingListener {
        final List<String> infos = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        @Override
        public void info(String message) {
            infos.add(message);
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }
    }
}
