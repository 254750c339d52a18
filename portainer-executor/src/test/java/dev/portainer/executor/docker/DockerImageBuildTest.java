package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.portainer.wire.BuildOptions;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.TaskResult;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.executor.build.ImageBuildResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against the real daemon and the registry on 127.0.0.1:5000. */
@Timeout(120)
class DockerImageBuildTest {
    @TempDir
    Path sandbox;
    private DockerClient docker;
    private final String repo = "portainer-test/executor-" + UUID.randomUUID().toString().substring(0, 8);
    private final String image = DockerDaemon.REGISTRY + "/" + repo;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connect() {
        docker = DockerDaemon.connectOrSkip();
    }

    @AfterEach
    void removeImages() throws Exception {
        DockerDaemon.remove(docker, List.of(image + ":1.0", image + ":latest", image + ":fails", image + ":slow"));
        docker.close();
    }

    @Test
    void buildsFromANestedDockerfileTagsPushesAndReportsTheRegistrysDigest() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of(
                "hello.txt", "hello from the context\n",
                // The id comes from the daemon's last "Successfully built" line, not from one a RUN step printed.
                "docker/Dockerfile", "FROM portainer/busybox:latest\nCOPY hello.txt /hello.txt\n"
                        + "RUN echo building-marker && echo Successfully built 0123456789ab\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("1.0", "latest"), "docker/Dockerfile", "context.tar.gz", true, null);

        ImageBuildResult result = new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null)
                .run(lines::add);

        assertTrue(result.imageId().matches("sha256:[0-9a-f]{64}"), result.imageId());
        assertTrue(result.digest().matches("sha256:[0-9a-f]{64}"), result.digest());
        assertEquals(List.of(image + ":1.0", image + ":latest"), result.tags());
        assertTrue(result.sizeBytes() > 0);
        assertTrue(lines.contains("building-marker"), "RUN output reaches the log: " + lines);
        assertTrue(lines.stream().noneMatch(String::isEmpty));
        assertEquals(List.of("1.0", "latest"), List.copyOf(result.digests().keySet()), "a digest per pushed tag");
        for (String tag : List.of("1.0", "latest")) {
            assertEquals(result.digests().get(tag), registryDigest(tag), "the registry serves tag " + tag + " as pushed");
        }
        assertEquals(result.digests().get("1.0"), result.digest(), "the first tag's digest is the result's");
        assertEquals(result.imageId(), docker.inspectImageCmd(image + ":latest").exec().getId());
        long pushingLines = lines.stream().filter(l -> l.endsWith(": Pushing")).count();
        long layers = lines.stream().filter(l -> l.endsWith(": Preparing")).count();
        assertTrue(pushingLines <= layers, "at most one 'Pushing' line per layer per push: " + lines);
    }

    @Test
    void asksOnceBeforeItsFirstPushAndPushesNothingWhenRefused() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile",
                "FROM portainer/busybox:latest\nRUN echo gate-" + UUID.randomUUID() + "\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("1.0", "latest"), "Dockerfile", "context.tar.gz", true, null);
        List<Integer> askedAfter = new CopyOnWriteArrayList<>();

        DockerImageBuild build = new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null);
        InterruptedException e = assertThrows(InterruptedException.class, () -> build.run(new BuildLog() {
            @Override
            public void line(String line) {
                lines.add(line);
            }

            @Override
            public void beforePush() throws InterruptedException {
                askedAfter.add(lines.size());
                throw new InterruptedException("the task is being stopped: no push");
            }
        }));

        assertEquals(1, askedAfter.size(), "asked once");
        assertTrue(lines.get(askedAfter.get(0) - 1).startsWith("Successfully tagged "), "after the build: " + lines);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Pushing ")), "nothing pushed: " + lines);
        assertEquals("the task is being stopped: no push", e.getMessage());
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://" + DockerDaemon.REGISTRY + "/v2/" + repo
                + "/manifests/1.0")).header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        assertEquals(404, HttpClient.newHttpClient().send(head, HttpResponse.BodyHandlers.discarding()).statusCode(),
                "the registry has no such tag");
    }

    @Test
    void aPushTaskTagsAndPushesTheImageAnEarlierBuildLeftInTheDaemon() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile",
                "FROM portainer/busybox:latest\nRUN echo later-push-" + UUID.randomUUID() + "\n"));
        BuildSpec build = BuildSpec.of(image, List.of("1.0"), "Dockerfile", "context.tar.gz", false, null);
        ImageBuildResult built = new DockerImageBuild(docker, "test", build, sandbox.resolve("context.tar.gz"), null)
                .run(lines::add);
        assertNull(built.digest(), "not pushed by the build");
        assertEquals(404, registryStatus("1.0"), "the registry has no such tag yet");
        List<Integer> askedAfter = new CopyOnWriteArrayList<>();
        lines.clear();

        BuildSpec push = BuildSpec.pushOf(image, List.of("1.0", "latest"), built.imageId(), null);
        ImageBuildResult pushed = new DockerImageBuild(docker, "test", push, null, null).run(new BuildLog() {
            @Override
            public void line(String line) {
                lines.add(line);
            }

            @Override
            public void beforePush() {
                askedAfter.add(lines.size());
            }
        });

        assertEquals(built.imageId(), pushed.imageId());
        assertEquals(List.of(image + ":1.0", image + ":latest"), pushed.tags());
        assertEquals(List.of("1.0", "latest"), List.copyOf(pushed.digests().keySet()));
        for (String tag : List.of("1.0", "latest")) {
            assertEquals(pushed.digests().get(tag), registryDigest(tag), "the registry serves tag " + tag + " as pushed");
        }
        assertEquals(pushed.digests().get("1.0"), pushed.digest());
        assertEquals(built.imageId(), docker.inspectImageCmd(image + ":latest").exec().getId(), "tagged first");
        assertEquals(1, askedAfter.size(), "asked once, before the first push");
        assertTrue(lines.subList(askedAfter.get(0), lines.size()).get(0).equals("Pushing " + image + ":1.0"), "" + lines);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Step ")), "nothing built: " + lines);
    }

    @Test
    void aPushTaskWhoseImageIsGoneSaysWhichAndToBuildAgain() {
        String gone = "sha256:" + "0".repeat(64);
        BuildSpec push = BuildSpec.pushOf(image, List.of("1.0"), gone, null);

        ImageBuildException e = assertThrows(ImageBuildException.class,
                () -> new DockerImageBuild(docker, "unix:///var/run/docker.sock", push, null, null).run(lines::add));

        assertEquals("The image " + gone + " that portainer:build made for " + image + " is no longer in the Docker"
                + " daemon at unix:///var/run/docker.sock on this agent (removed since, e.g. by docker image prune, or"
                + " built by another daemon): run portainer:build again, then push", e.getMessage());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Pushing ")), "nothing pushed: " + lines);
    }

    @Test
    void pushingALargeLayerShowsCompactProgress() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile",
                "FROM portainer/busybox:latest\nRUN dd if=/dev/urandom of=/big bs=1M count=30 2>/dev/null\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("1.0"), "Dockerfile", "context.tar.gz", true, null);

        ImageBuildResult result = new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null)
                .run(lines::add);

        int pushedAt = lines.indexOf("Pushing " + image + ":1.0");
        List<String> push = lines.subList(pushedAt, lines.size());
        List<String> aggregates = push.stream().filter(l -> l.matches("Pushing \\d+ layers?: \\d+% .*")).toList();
        assertTrue(!aggregates.isEmpty() && aggregates.size() <= 12, "at most one line per 10% or 5 s: " + push);
        assertTrue(aggregates.get(aggregates.size() - 1).contains(": 100% ("), aggregates.toString());
        assertTrue(push.stream().anyMatch(l -> l.endsWith(": Pushed")), push.toString());
        assertTrue(push.get(push.size() - 1).contains("digest: " + result.digest()), push.toString());
        assertTrue(push.size() <= 25, "compact, not hundreds of progress lines: " + push);
    }

    @Test
    void blankLinesStderrAndAnEmptyBuildArgReachTheLogAsDockerSentThem() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile",
                "FROM portainer/busybox:latest\nARG EMPTY=dropped-on-the-way\n"
                        + "RUN echo \"[$EMPTY]\"; echo; echo after-the-blank\nRUN echo on-stderr >&2\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("1.0"), "Dockerfile", "context.tar.gz", false, null)
                .with(new BuildOptions(Map.of("EMPTY", ""), null, null, true, false, null, null, null, null, null),
                        null);

        new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null).run(lines::add);

        // "[dropped-on-the-way]" if docker-java had left the empty value out: the ARG's default would apply.
        int arg = lines.indexOf("[]");
        assertTrue(arg >= 0, "the empty build arg reaches the daemon as \"\": " + lines);
        assertEquals(List.of("[]", "", "after-the-blank"), lines.subList(arg, arg + 3), lines.toString());
        assertEquals(1, lines.stream().filter(String::isEmpty).count(), "no blank line but the RUN step's: " + lines);
        // The daemon wraps a RUN step's stderr in red; the closing ESC[0m starts the line after it.
        int stderr = lines.indexOf("\u001b[91mon-stderr");
        assertTrue(stderr >= 0, lines.toString());
        assertTrue(lines.get(stderr + 1).startsWith("\u001b[0mRemoving intermediate container "), lines.toString());
    }

    @Test
    void failedRunStepFailsWithDockersOwnMessage() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of(
                "Dockerfile", "FROM portainer/busybox:latest\nRUN echo about-to-fail && exit 3\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("fails"), "Dockerfile", "context.tar.gz", true, null);

        ImageBuildException e = assertThrows(ImageBuildException.class, () ->
                new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null).run(lines::add));

        assertTrue(e.getMessage().contains("returned a non-zero code: 3"), e.getMessage());
        assertNull(e.imageId());
        assertEquals(TaskResult.Stage.BUILD, e.stage());
        assertTrue(lines.contains("about-to-fail"), lines.toString());
    }

    @Test
    void aRefusedPushIsAFailureOfThePushOfTheBuiltImage() throws Exception {
        // The registry that requires a login (scripts/setup.sh), pushed to without one.
        String refused = "127.0.0.1:5001/" + repo;
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile", "FROM portainer/busybox:latest\n"
                + "LABEL stage=push\n"));
        BuildSpec spec = BuildSpec.of(refused, List.of("1.0"), "Dockerfile", "context.tar.gz", true, null);
        try {
            ImageBuildException e = assertThrows(ImageBuildException.class, () ->
                    new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null).run(lines::add));

            assertEquals(TaskResult.Stage.PUSH, e.stage(), e.getMessage());
            assertTrue(e.imageId() != null, "the image was built before its push failed");
            assertEquals(TaskResult.Stage.PUSH, TaskResult.fromBytes(TaskResult.failure(e.getMessage(), e.imageId(),
                    lines.size(), e.stage()).toBytes()).stage(), "and the scheduler learns it from the wire");
        } finally {
            DockerDaemon.remove(docker, List.of(refused + ":1.0"));
        }
    }

    @Test
    void missingDockerfileFailsWithTheDaemonsExplanation() throws Exception {
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("hello.txt", "no Dockerfile here\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("fails"), "Dockerfile", "context.tar.gz", false, null);

        ImageBuildException e = assertThrows(ImageBuildException.class, () ->
                new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null).run(lines::add));

        assertTrue(e.getMessage().toLowerCase().contains("dockerfile"), e.getMessage());
        assertTrue(!e.getMessage().startsWith("Status "), "the daemon's words, not docker-java's wrapping: " + e.getMessage());
    }

    @Test
    void cancelStopsARunningBuildPromptlyRemovesItsContainerAndNeverPushes() throws Exception {
        // The label is inherited by the RUN step's container: it finds this test's container and no one else's.
        String marker = UUID.randomUUID().toString();
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of(
                "Dockerfile", "FROM portainer/busybox:latest\nLABEL portainer.test.cancel=" + marker
                        + "\nRUN echo sleeping && sleep 60\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("slow"), "Dockerfile", "context.tar.gz", true, null);
        DockerImageBuild build = new DockerImageBuild(docker, "test", spec, sandbox.resolve("context.tar.gz"), null);
        CompletableFuture<ImageBuildResult> running = CompletableFuture.supplyAsync(() -> {
            try {
                return build.run(lines::add);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!lines.contains("sleeping") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(lines.contains("sleeping"), lines.toString());
        assertEquals(1, containers(marker).size(), "the RUN step's container runs");
        long cancelledAt = System.nanoTime();
        build.cancel();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> running.get(15, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("cancelled"), e.getCause().getMessage());
        assertTrue(System.nanoTime() - cancelledAt < TimeUnit.SECONDS.toNanos(15));
        // The daemon kills and removes the step's container once its client has gone.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!containers(marker).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), containers(marker), "the RUN step's container is gone within seconds");
        System.out.println("cancel to container gone: "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt) + " ms");
        assertEquals(404, registryStatus("slow"), "a cancelled build is never pushed");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Pushing ")), lines.toString());
    }

    private List<String> containers(String marker) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("portainer.test.cancel", marker)).exec().stream()
                .map(com.github.dockerjava.api.model.Container::getId).toList();
    }

    private int registryStatus(String tag) throws Exception {
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://" + DockerDaemon.REGISTRY + "/v2/" + repo
                        + "/manifests/" + tag))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(head, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String registryDigest(String tag) throws Exception {
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://" + DockerDaemon.REGISTRY + "/v2/" + repo
                        + "/manifests/" + tag))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> response = HttpClient.newHttpClient().send(head, HttpResponse.BodyHandlers.discarding());
        assertEquals(200, response.statusCode(), "registry answer for " + repo + ":" + tag);
        return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }
}
