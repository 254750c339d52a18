package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.core.scheduler.BuildTask;
import dev.portainer.core.scheduler.EarlySubscription;
import dev.portainer.core.scheduler.FetchUri;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.staging.HttpStager;
import dev.portainer.core.staging.LocalFileStager;
import dev.portainer.core.staging.Stager;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskStagingTest {
    @TempDir
    Path dir;

    private static final BuildEvents QUIET = QuietEvents.INSTANCE;

    /** The embedded agent reads files in place: the context goes as a plain tar, named so, and is never extracted. */
    @Test
    void aPlainTarIsFetchedAsContextTarAndNeverExtracted() throws Exception {
        List<BuildTask> tasks = stage(ContextFormat.TAR, 1, null);
        assertEquals("context.tar", tasks.get(0).spec().contextFile());
        FetchUri context = tasks.get(0).executor().uris().get(1);
        assertEquals("context.tar", context.outputFile());
        assertEquals(false, context.extract());
        assertEquals(false, context.executable());
        assertEquals(Path.of(java.net.URI.create(context.uri())).getFileName().toString().endsWith(".tar"), true,
                context.uri());
    }

    @Test
    void aTarGzKeepsItsNameAndSeveralImagesGetOneEach() throws Exception {
        List<BuildTask> tasks = stage(ContextFormat.TAR_GZIP, 2, new HdfsLikeStager());
        for (BuildTask task : tasks) {
            assertEquals("context.tar.gz", task.spec().contextFile());
            assertEquals("context.tar.gz", task.executor().uris().get(1).outputFile());
            assertEquals(false, task.executor().uris().get(1).extract());
            assertEquals(null, task.spec().contextUri(), "fetched into the sandbox");
            assertFalse(task.executor().severalTasks(), "the executor has no Hadoop client: one executor per build");
        }
        assertNotEquals(tasks.get(0).executor().uris().get(1).uri(), tasks.get(1).executor().uris().get(1).uri());
    }

    /**
     * A context still being packed is read where it is written, as it grows: nothing staged, nothing for the fetcher
     * but the jar; one image keeps an executor of its own, several share one.
     */
    @Test
    void aContextStillBeingPackedIsReadInPlaceAsItGrows() throws Exception {
        for (int images : List.of(1, 3)) {
            List<BuildTask> tasks = stage(ContextFormat.TAR, images, null, true);
            Set<String> contexts = new HashSet<>();
            for (int i = 0; i < images; i++) {
                BuildTask task = tasks.get(i);
                assertTrue(task.spec().contextGrowing());
                Path archive = dir.resolve("growing-" + i + ".tar");
                assertEquals(archive.toUri().toString(), task.spec().contextUri());
                assertFalse(Files.exists(archive), "not written yet: nothing staged it");
                assertEquals("Dockerfile", task.spec().dockerfile());
                assertEquals(List.of("portainer-executor.jar"), task.executor().uris().stream()
                        .map(FetchUri::outputFile).toList());
                assertEquals(images > 1, task.executor().severalTasks());
                contexts.add(task.spec().contextUri());
            }
            assertEquals(images, contexts.size());
        }
    }

    /**
     * For a real master, a context still being packed is served by this JVM as it is written and got by the executor
     * itself (the fetcher would hold the executor's start until the packing ends): the fetcher gets the jar only.
     */
    @Test
    void aContextStillBeingPackedForARealMasterIsServedAsItGrowsAndGotByTheExecutor() throws Exception {
        for (int images : List.of(1, 2)) {
            try (HttpStager served = HttpStager.start(InetAddress.getLoopbackAddress(), new SecureRandom())) {
                List<BuildTask> tasks = stage(ContextFormat.TAR_GZIP, images, served, true);
                Set<String> contexts = new HashSet<>();
                for (int i = 0; i < images; i++) {
                    BuildTask task = tasks.get(i);
                    assertTrue(task.spec().contextGrowing());
                    java.net.URI uri = java.net.URI.create(task.spec().contextUri());
                    assertEquals("http", uri.getScheme());
                    assertTrue(uri.getPath().endsWith(images > 1 ? "/context-" + (i + 1) + ".tar.gz"
                            : "/context.tar.gz"), uri.toString());
                    assertEquals(List.of("portainer-executor.jar"), task.executor().uris().stream()
                            .map(FetchUri::outputFile).toList());
                    assertEquals(images > 1, task.executor().severalTasks());
                    contexts.add(uri.toString());
                    // Served once the packer writes it: whole once renamed.
                    Path archive = dir.resolve("growing-" + i + ".tar");
                    Files.write(ContextPacker.partialFile(archive), new byte[] {(byte) i, 7});
                    Files.move(ContextPacker.partialFile(archive), archive);
                    try (java.io.InputStream in = uri.toURL().openStream()) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {(byte) i, 7}, in.readAllBytes());
                    }
                    Files.delete(archive);
                }
                assertEquals(images, contexts.size());
            }
        }
    }

    /**
     * Contexts by path: the builds of one run share an executor per agent, which fetches the jar only and reads each
     * task's context where its spec says.
     */
    @Test
    void severalImagesWhoseContextsTheExecutorCanReadShareOneExecutorLaunch() throws Exception {
        List<BuildTask> tasks = stage(ContextFormat.TAR, 3, null);
        Set<String> contexts = new HashSet<>();
        for (BuildTask task : tasks) {
            assertTrue(task.executor().severalTasks());
            assertEquals(List.of("portainer-executor.jar"), task.executor().uris().stream().map(FetchUri::outputFile)
                    .toList());
            java.net.URI context = java.net.URI.create(task.spec().contextUri());
            assertEquals("file", context.getScheme());
            assertTrue(Files.isRegularFile(Path.of(context)), context.toString());
            contexts.add(task.spec().contextUri());
        }
        assertEquals(3, contexts.size(), "a context each");
        assertEquals(tasks.get(0).executor(), tasks.get(2).executor(), "one launch: Mesos wants the same ExecutorInfo");
        assertFalse(stage(ContextFormat.TAR, 1, null).get(0).executor().severalTasks(), "one image: nothing to share");
    }

    /** Stages as a Hadoop stager would: WebHDFS URLs for the fetcher, which the executor does not read itself. */
    private static final class HdfsLikeStager implements Stager {
        @Override
        public dev.portainer.core.staging.StagedFile stageBuildFile(Path file, String fileName) {
            return new dev.portainer.core.staging.StagedFile(
                    java.net.URI.create("http://nn:9870/webhdfs/v1/s/" + fileName), fileName);
        }

        @Override
        public dev.portainer.core.staging.StagedFile stageSharedFile(Path file, String fileName, String sha256) {
            return new dev.portainer.core.staging.StagedFile(java.net.URI.create("hdfs://nn:8020/s/" + sha256),
                    fileName, true);
        }

        @Override
        public dev.portainer.core.staging.StagedSecret stageSecret(byte[] bytes, String fileName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aPushStagesNoContextAndIsBoundToTheAgentThatBuiltTheImage() throws Exception {
        Path jar = Files.writeString(dir.resolve("executor.jar"), "not really a jar");
        RunSettings settings = RunSettings.builder().work(dir.resolve("work"), new ExecutorJarFile(jar, "ab".repeat(32)))
                .dockerHost("unix:///run/other.sock").build();
        String id = "sha256:" + "c".repeat(64);
        try (CancelOnShutdown guard = CancelOnShutdown.install(QUIET);
             Stager stager = new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(),
                     new SecureRandom()))) {
            RunContext run = new RunContext(QUIET, guard, Clock.systemUTC(), new SecureRandom(), UUID::randomUUID,
                    Map.of(), "host");
            List<BuildTask> tasks = new TaskStaging(settings, new FixedCluster(), stager, run).stagePushes(List.of(
                    new ImageToPush(new BuildResult(ImageRef.parse("127.0.0.1:5000/team/app"), List.of("1", "latest"),
                            id, null, 10, "agent-7"), null)));

            BuildTask task = tasks.get(0);
            assertEquals("agent-7", task.agent());
            assertEquals("127.0.0.1:5000/team/app:1", task.name());
            assertEquals(true, task.spec().pushOnly());
            assertEquals(id, task.spec().imageId());
            assertEquals(List.of("1", "latest"), task.spec().tags());
            assertEquals("unix:///run/other.sock", task.spec().dockerHost(), "the daemon the build used");
            assertEquals(List.of("portainer-executor.jar"), task.executor().uris().stream().map(FetchUri::outputFile)
                    .toList(), "the executor only: nothing to build from, no credentials to fetch");
            assertEquals(null, task.executor().containerImage());
        }
    }

    @Test
    void pushesOfSeveralImagesShareTheAgentsExecutorWhenNoCredentialsAreFetched() throws Exception {
        Path jar = Files.writeString(dir.resolve("executor.jar"), "not really a jar");
        RunSettings settings = RunSettings.builder().work(dir.resolve("work"), new ExecutorJarFile(jar, "ab".repeat(32)))
                .build();
        try (CancelOnShutdown guard = CancelOnShutdown.install(QUIET);
             Stager stager = new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(),
                     new SecureRandom()))) {
            RunContext run = new RunContext(QUIET, guard, Clock.systemUTC(), new SecureRandom(), UUID::randomUUID,
                    Map.of(), "host");
            List<ImageToPush> images = new java.util.ArrayList<>();
            for (String name : List.of("a", "b")) {
                images.add(new ImageToPush(new BuildResult(ImageRef.parse("127.0.0.1:5000/team/" + name),
                        List.of("1"), "sha256:" + "c".repeat(64), null, 10, "agent-7"), null));
            }
            List<BuildTask> tasks = new TaskStaging(settings, new FixedCluster(), stager, run).stagePushes(images);

            assertTrue(tasks.get(0).executor().severalTasks());
            assertEquals(tasks.get(0).executor(), tasks.get(1).executor(), "one launch for both");
            assertEquals(List.of("portainer-executor.jar"), tasks.get(1).executor().uris().stream()
                    .map(FetchUri::outputFile).toList());
        }
    }

    /** @param staging the stager, or null for the embedded agent's (files by path) */
    private List<BuildTask> stage(ContextFormat format, int images, Stager staging) throws Exception {
        return stage(format, images, staging, false);
    }

    /**
     * @param staging the stager, or null for the embedded agent's (files by path)
     * @param growing the contexts are still being packed, as {@code growing-<i>.tar}
     */
    private List<BuildTask> stage(ContextFormat format, int images, Stager staging, boolean growing)
            throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Path jar = Files.writeString(dir.resolve("executor.jar"), "not really a jar");
        RunSettings settings = RunSettings.builder().work(dir.resolve("work"), new ExecutorJarFile(jar, "ab".repeat(32)))
                .build();
        try (CancelOnShutdown guard = CancelOnShutdown.install(QUIET);
             Stager local = new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(),
                     new SecureRandom()))) {
            Stager stager = staging != null ? staging : local;
            RunContext run = new RunContext(QUIET, guard, Clock.systemUTC(), new SecureRandom(), UUID::randomUUID,
                    Map.of(), "host");
            List<ImageSpec> specs = new java.util.ArrayList<>();
            List<ContextArchive> contexts = new java.util.ArrayList<>();
            for (int i = 0; i < images; i++) {
                specs.add(ImageSpec.builder(ctx, ImageRef.parse("127.0.0.1:5000/team/app" + i), List.of("1"))
                        .build());
                contexts.add(growing ? new ContextArchive(dir.resolve("growing-" + i + ".tar"), format, "Dockerfile",
                        null) : ContextArchive.of(ContextPacker.builder().format(format).build().pack(ctx, null,
                        dir.resolve("context-" + i + format.extension()))));
            }
            return new TaskStaging(settings, new FixedCluster(), stager, run).stageAll(specs, contexts);
        }
    }

    /** Only what staging asks of a cluster. */
    private static final class FixedCluster implements Cluster {
        @Override
        public MesosMaster master() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SchedulerConfig schedulerConfig() {
            throw new UnsupportedOperationException();
        }

        @Override
        public EarlySubscription early() {
            return null;
        }

        @Override
        public Stager openStager() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ContextFormat contextFormat() {
            return ContextFormat.TAR;
        }

        @Override
        public String executorCommand(boolean inContainer, String executorSha) {
            return "exec java -jar portainer-executor.jar";
        }
    }
}
