package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.PackedContext;
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
import java.util.Map;
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
        List<BuildTask> tasks = stage(ContextFormat.TAR, 1);
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
        List<BuildTask> tasks = stage(ContextFormat.TAR_GZIP, 2);
        for (BuildTask task : tasks) {
            assertEquals("context.tar.gz", task.spec().contextFile());
            assertEquals("context.tar.gz", task.executor().uris().get(1).outputFile());
            assertEquals(false, task.executor().uris().get(1).extract());
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

    private List<BuildTask> stage(ContextFormat format, int images) throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Path jar = Files.writeString(dir.resolve("executor.jar"), "not really a jar");
        RunSettings settings = RunSettings.builder().work(dir.resolve("work"), new ExecutorJarFile(jar, "ab".repeat(32)))
                .build();
        try (CancelOnShutdown guard = CancelOnShutdown.install(QUIET);
             Stager stager = new LocalFileStager(HttpStager.start(InetAddress.getLoopbackAddress(),
                     new SecureRandom()))) {
            RunContext run = new RunContext(QUIET, guard, Clock.systemUTC(), new SecureRandom(), UUID::randomUUID,
                    Map.of(), "host");
            List<ImageSpec> specs = new java.util.ArrayList<>();
            List<PackedContext> contexts = new java.util.ArrayList<>();
            for (int i = 0; i < images; i++) {
                specs.add(ImageSpec.builder(ctx, ImageRef.parse("127.0.0.1:5000/team/app" + i), List.of("1"))
                        .build());
                contexts.add(ContextPacker.builder().format(format).build().pack(ctx, null,
                        dir.resolve("context-" + i + format.extension())));
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
        public String executorCommand(boolean inContainer) {
            return "exec java -jar portainer-executor.jar";
        }
    }
}
