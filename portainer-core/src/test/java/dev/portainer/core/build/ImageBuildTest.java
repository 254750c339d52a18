package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.context.ContextCache;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.FileClock;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.core.scheduler.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuildTest {
    @TempDir
    Path dir;

    @Test
    void aFailedBuildLeavesNoResultOfThePreviousSuccessfulBuild() throws Exception {
        Path work = Files.createDirectories(dir.resolve("target/portainer"));
        Path context = Files.createDirectories(dir.resolve("context")); // no Dockerfile: the build fails early
        ImageRef image = ImageRef.parse("127.0.0.1:5000/team/app");
        String old = "sha256:" + "9".repeat(64);
        BuildResultFiles.write(work, new BuildResult(image, List.of("1.0"), old, old, 1, "earlier-agent"));
        assertTrue(Files.exists(work.resolve("app.digest")));
        ImageSpec spec = ImageSpec.builder(context, image, List.of("1.0")).resources(1, 64).build();

        assertThrows(ContextException.class, () -> ImageBuild.run(new BuildPlan(settings(), List.of(spec)), QUIET, () -> {
            throw new AssertionError("no local master for a remote build");
        }));

        for (String suffix : List.of(".id", ".digest", ".json")) {
            assertFalse(Files.exists(work.resolve("app" + suffix)), "stale app" + suffix + " must be gone");
        }
    }

    private static final BuildEvents QUIET = QuietEvents.INSTANCE;

    /** Events that keep only the info lines, in {@code infos}. */
    private static BuildEvents infosInto(List<String> infos) {
        return new BuildEvents() {
            @Override
            public void info(String message) {
                infos.add(message);
            }

            @Override
            public void log(String taskName, String line) {
            }

            @Override
            public void warn(String message) {
            }
        };
    }

    private RunSettings settings() {
        return RunSettings.builder().mesosMaster("127.0.0.1:1")
                .work(dir.resolve("target/portainer"), dir.resolve("executor.jar"))
                .framework(new FrameworkSettings("portainer", "nobody", "*", Duration.ofMinutes(1)))
                .offerTimeout(Duration.ofSeconds(1)).build();
    }

    private static ImageSpec image(Path context, String image) {
        return ImageSpec.builder(context, ImageRef.parse(image), List.of("1.0")).resources(1, 64).build();
    }

    @Test
    void severalImagesAreAllPackedBeforeAnythingIsScheduledSoOneWrongContextFailsAtOnce() throws Exception {
        Path good = Files.createDirectories(dir.resolve("good"));
        Files.writeString(good.resolve("Dockerfile"), "FROM scratch\n");
        Path bad = Files.createDirectories(dir.resolve("bad")); // no Dockerfile
        Files.createDirectories(dir.resolve("target/portainer"));
        // The master does not exist: reaching the scheduling step would fail differently.
        ContextException e = assertThrows(ContextException.class, () -> ImageBuild.run(new BuildPlan(settings(), List.of(
                image(good, "127.0.0.1:5000/team/good"), image(bad, "127.0.0.1:5000/team/bad"))), QUIET,
                () -> {
                    throw new AssertionError("no local master for a remote build");
                }));
        assertTrue(e.getMessage().contains(bad.toString()) || e.getMessage().contains("Dockerfile"), e.getMessage());
        try (var files = Files.list(dir.resolve("target/portainer"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tar.gz")),
                    "the packed contexts are removed");
        }
    }

    @Test
    void removesThePackedContextsOfKilledBuildsButNotThoseOfBuildsStillRunning() throws Exception {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");
        Path work = Files.createDirectories(dir.resolve("target/portainer"));
        Files.writeString(dir.resolve("executor.jar"), "not really a jar");
        Process killed = new ProcessBuilder("true").start();
        killed.waitFor();
        Process running = new ProcessBuilder("sleep", "60").start(); // another build of this project, say
        try {
            Path dead = Files.writeString(work.resolve("context-pid" + killed.pid() + "-1.tar.gz"), "left");
            Path deadPart = Files.writeString(work.resolve("context-pid" + killed.pid() + "-2.tar.gz.part"), "left");
            Path live = Files.writeString(work.resolve("context-pid" + running.pid() + "-3.tar.gz.part"), "writing");
            Path jar = Files.writeString(work.resolve("portainer-executor.jar"), "shared");
            List<String> infos = new java.util.concurrent.CopyOnWriteArrayList<>();
            BuildEvents events = infosInto(infos);

            // Packed, then swept, then the master (which does not exist) fails the build.
            Outcome<ImageSpec, BuildResult> outcome = ImageBuild.run(new BuildPlan(settings(),
                    List.of(image(context, "127.0.0.1:5000/team/app"))), events, () -> {
                        throw new AssertionError("no local master for a remote build");
                    }).get(0);
            assertTrue(outcome.failure() instanceof dev.portainer.core.mesos.scheduler.MasterUnreachableException,
                    String.valueOf(outcome.failure()));

            assertFalse(Files.exists(dead), "a killed build's context stays");
            assertFalse(Files.exists(deadPart), "a killed build's half-written context stays");
            assertTrue(Files.exists(live), "a running build's context must be left alone");
            assertTrue(Files.exists(jar));
            assertTrue(infos.stream().anyMatch(i -> i.startsWith("Removed what a killed build left in " + work)
                    && i.contains(dead.getFileName().toString())), infos.toString());
            try (var files = Files.list(work)) {
                // Its own context is removed too; the copy kept for the next build is in packed/.
                assertEquals(List.of(live.getFileName().toString(), ContextCache.DIRECTORY,
                        jar.getFileName().toString()), files.map(f -> f.getFileName().toString()).sorted().toList(),
                        "its own context is removed too");
            }
        } finally {
            running.destroyForcibly().waitFor();
        }
    }

    @Test
    void anUnchangedContextIsNotPackedTwiceInARowAndAChangedOneIs() throws Exception {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        Path data = Files.writeString(context.resolve("data.txt"), "one");
        Files.createDirectories(dir.resolve("target/portainer"));
        Files.writeString(dir.resolve("executor.jar"), "not really a jar");
        FileClock.passLastChange(context);

        String first = packedLine(context);
        assertFalse(first.contains("unchanged"), first);
        Path kept = dir.resolve("target/portainer/packed/app.tar.gz");
        assertTrue(Files.isRegularFile(kept), "kept for the next build: " + kept);

        String second = packedLine(context);
        assertTrue(second.contains("unchanged since it was packed for the last build, " + kept + " reused"), second);
        assertEquals(sha(first), sha(second));

        Files.writeString(data, "two");
        String third = packedLine(context);
        assertFalse(third.contains("unchanged"), third);
        assertFalse(sha(first).equals(sha(third)), third);
        try (var files = Files.list(dir.resolve("target/portainer"))) {
            assertEquals(List.of(ContextCache.DIRECTORY), files.map(f -> f.getFileName().toString()).toList(),
                    "nothing but the kept context stays");
        }
    }

    /** Packs (then fails to reach the master that does not exist); the line that says how the context was packed. */
    private String packedLine(Path context) throws Exception {
        List<String> infos = new java.util.concurrent.CopyOnWriteArrayList<>();
        Outcome<ImageSpec, BuildResult> outcome = ImageBuild.run(new BuildPlan(settings(), List.of(image(context,
                "127.0.0.1:5000/team/app"))), infosInto(infos), () -> {
                    throw new AssertionError("no local master for a remote build");
                }).get(0);
        assertTrue(outcome.failure() instanceof dev.portainer.core.mesos.scheduler.MasterUnreachableException,
                String.valueOf(outcome.failure()));
        return infos.stream().filter(i -> i.startsWith("Packed context " + context + ": ")).findFirst()
                .orElseThrow(() -> new AssertionError("not packed: " + infos));
    }

    private static String sha(String packedLine) {
        return packedLine.substring(packedLine.lastIndexOf("sha256 ") + 7);
    }

    @Test
    void theSameImageTwiceIsRefusedWithTheFix() {
        Path context = dir.resolve("ctx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageBuild.run(new BuildPlan(settings(),
                List.of(image(context, "127.0.0.1:5000/team/app"), image(context, "127.0.0.1:5000/team/app"))),
                QUIET, () -> {
                    throw new AssertionError("never started");
                }));
        assertTrue(e.getMessage().contains("127.0.0.1:5000/team/app is listed twice"), e.getMessage());
    }
}
