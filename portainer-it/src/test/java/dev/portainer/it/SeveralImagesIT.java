package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code <images>}: one mvn run builds several images in one Mesos framework, in parallel. */
class SeveralImagesIT {
    private static final List<String> NAMES = List.of("api", "web", "worker");

    @Test
    void oneRunBuildsAndPushesThreeImagesInParallel() throws Exception {
        String repo = "it/several-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("several-images");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dit.prefix=" + MavenRun.REGISTRY + "/" + repo);
        try {
            String out = build.output();
            assertTrue(build.succeeded(), out);
            assertEquals(1, count(out, "Registered with the Mesos master"), "one framework for all: " + out);
            // All three launched before any finished: they ran side by side.
            int firstBuilt = out.indexOf(" built in ");
            assertTrue(firstBuilt > 0, out);
            assertEquals(3, count(out.substring(0, firstBuilt), "Launched portainer-"), out);
            // One executor JVM on the agent for all three: each launch names the same one.
            List<String> executors = out.lines().filter(l -> l.contains("Launched portainer-"))
                    .map(l -> l.replaceAll(".* in executor (portainer-executor-[0-9a-f-]+).*", "$1")).toList();
            assertEquals(3, executors.size(), out);
            assertTrue(executors.get(0).startsWith("portainer-executor-"), out);
            assertEquals(1, executors.stream().distinct().count(), "one executor for the three: " + executors);
            assertTrue(out.contains("Images built (3 of 3):"), out);
            for (String name : NAMES) {
                String image = MavenRun.REGISTRY + "/" + repo + "-" + name;
                String tag = name.equals("web") ? "2.0" : "1.0.0";
                // Each image's Docker lines carry its own name.
                assertTrue(out.contains("[" + image + "] ") && out.contains("building-" + name), out);
                assertTrue(out.lines().anyMatch(l -> l.contains("[" + image + "] ") && l.contains("building-"
                        + name)), "the line of " + name + " must carry its own prefix: " + out);
                String digest = Registry.digest(repo + "-" + name, tag);
                assertTrue(out.lines().anyMatch(l -> l.contains("OK") && l.contains(image + ":" + tag)
                        && l.contains(digest)), "summary line of " + name + ": " + out);
                String json = Files.readString(project.resolve("target/portainer/" + repo.substring(3) + "-" + name
                        + ".json"));
                assertTrue(json.contains(digest), json);
                Docker.ok("rmi", "-f", image + ":" + tag);
                Docker.ok("pull", image + ":" + tag);
                String files = Docker.ok("run", "--rm", image + ":" + tag, "cat", "/name", "/greeting");
                assertEquals(name + "\n" + (name.equals("web") ? "hello-from-web" : "hello-from-the-top") + "\n",
                        files, "the image pulled back from the registry runs");
            }
        } finally {
            removeImages(repo);
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void aFailingImageFailsTheBuildByNameAfterTheOthersArePushed() throws Exception {
        String repo = "it/several-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyProject("several-images");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dit.prefix=" + MavenRun.REGISTRY + "/" + repo, "-Dit.workerDockerfile=Failing.Dockerfile");
        try {
            String out = build.output();
            assertNotEquals(0, build.exitCode(), out);
            assertTrue(out.contains("BUILD FAILURE"), out);
            String worker = MavenRun.REGISTRY + "/" + repo + "-worker:1.0.0";
            assertTrue(out.contains("1 of 3 images failed: " + worker), out);
            assertTrue(out.contains("returned a non-zero code: 7"), out);
            assertTrue(out.contains("Images built (2 of 3):"), out);
            assertEquals(200, Registry.status(repo + "-api", "1.0.0"), "api was still pushed");
            assertEquals(200, Registry.status(repo + "-web", "2.0"), "web was still pushed");
            assertEquals(404, Registry.status(repo + "-worker", "1.0.0"), "worker never was");
            assertTrue(Files.exists(project.resolve("target/portainer/" + repo.substring(3) + "-api.json")));
            assertFalse(Files.exists(project.resolve("target/portainer/" + repo.substring(3) + "-worker.json")));
        } finally {
            removeImages(repo);
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void aTopLevelImageNextToImagesIsRefusedNamingWhatToRemove() throws Exception {
        Path project = MavenRun.copyProject("several-images");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/ambiguous");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("Both <image> (" + MavenRun.REGISTRY + "/it/ambiguous) and <images> are "
                + "set") && build.output().contains("remove the top-level <image> (portainer.image)"), build.output());
        assertFalse(build.output().contains("Registered with the Mesos master"), "nothing was scheduled");
        ItChecks.assertNothingLeftBehind(build);
    }

    private static void removeImages(String repo) throws Exception {
        for (String name : NAMES) {
            String image = MavenRun.REGISTRY + "/" + repo + "-" + name;
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":2.0");
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
