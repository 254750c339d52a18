package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * portainer:push, for teams that build at package and publish at deploy: the image portainer:build left in the
 * building agent's daemon is pushed from there, in the same Maven run or a later one.
 */
class PushGoalIT {
    private final String repo = "it/push-" + UUID.randomUUID().toString().substring(0, 8);
    private final String image = MavenRun.REGISTRY + "/" + repo;
    /** The result files' name: the repository's last component. */
    private final String stem = repo.substring("it/".length());

    @AfterEach
    void removeImages() throws Exception {
        Docker.run("rmi", "-f", image + ":1.0.0", image + ":2.0", image + ":stable");
    }

    private String[] args(String... goals) {
        String[] all = new String[goals.length + 3];
        System.arraycopy(goals, 0, all, 0, goals.length);
        all[goals.length] = "-Dportainer.image=" + image;
        all[goals.length + 1] = "-Dportainer.buildCpu=0.5";
        all[goals.length + 2] = "-Dportainer.buildMem=256";
        return all;
    }

    private JsonNode result(Path project) throws Exception {
        return new ObjectMapper().readTree(project.resolve("target/portainer/" + stem + ".json").toFile());
    }

    @Test
    void inTheSameRunPushesEveryTagTheBuildMadeAndRecordsTheDigests() throws Exception {
        Path project = MavenRun.copyProject("properties-only");

        MavenRun.Outcome run = MavenRun.run(project, args("package", "portainer:build", "portainer:push",
                "-Dportainer.push=false", "-Dportainer.tags=2.0,stable"));

        assertTrue(run.succeeded(), run.output());
        assertTrue(run.output().contains("(not pushed)"), "the build did not push: " + run.output());
        JsonNode json = result(project);
        String imageId = json.get("imageId").asText();
        for (String tag : new String[] {"2.0", "stable"}) {
            String digest = Registry.digest(repo, tag);
            assertTrue(run.output().contains("Pushed " + image + ":" + tag + "@" + digest), run.output());
            assertEquals(digest, json.at("/digests/" + tag).asText(), "the result file has the pushed digest");
        }
        assertEquals(Registry.digest(repo, "2.0"), json.get("digest").asText());
        assertEquals(Registry.digest(repo, "2.0") + "\n",
                Files.readString(project.resolve("target/portainer/" + stem + ".digest")));
        assertEquals(imageId, Docker.run("image", "inspect", "--format", "{{.Id}}", image + ":stable").output().trim(),
                "the image the build made is the one pushed");
        assertTrue(run.output().contains("Scheduling the push of " + imageId), run.output());
        ItChecks.assertNothingLeftBehind(run);
    }

    @Test
    void aLaterRunPushesWhatAnEarlierRunBuilt() throws Exception {
        Path project = MavenRun.copyProject("properties-only");
        MavenRun.Outcome build = MavenRun.run(project, args("package", "portainer:build", "-Dportainer.push=false"));
        assertTrue(build.succeeded(), build.output());
        assertEquals(404, Registry.status(repo, "1.0.0"), "not pushed by the build");
        ItChecks.assertNothingLeftBehind(build);

        MavenRun.Outcome push = MavenRun.run(project, args("portainer:push"));

        assertTrue(push.succeeded(), push.output());
        String digest = Registry.digest(repo, "1.0.0");
        assertTrue(push.output().contains("Pushed " + image + ":1.0.0@" + digest), push.output());
        assertEquals(digest, result(project).at("/digests/1.0.0").asText());
        assertFalse(push.output().contains("properties-only-build"), "nothing was built again: " + push.output());
        ItChecks.assertNothingLeftBehind(push);

        MavenRun.Outcome again = MavenRun.run(project, args("portainer:push"));
        assertTrue(again.succeeded(), again.output());
        assertTrue(again.output().contains(image + " 1.0.0 is pushed already (" + digest + ", as " + stem
                + ".json records); nothing to push"), again.output());
        assertFalse(again.output().contains("Scheduling the push"), again.output());
    }

    @Test
    void anImageTheBuildPushedIsLeftAlone() throws Exception {
        Path project = MavenRun.copyProject("properties-only");

        MavenRun.Outcome run = MavenRun.run(project, args("package", "portainer:build", "portainer:push"));

        assertTrue(run.succeeded(), run.output());
        String digest = Registry.digest(repo, "1.0.0");
        assertTrue(run.output().contains(image + " 1.0.0 is pushed already (" + digest + ", as " + stem
                + ".json records); nothing to push"), run.output());
        assertFalse(run.output().contains("Scheduling the push"), run.output());
        ItChecks.assertNothingLeftBehind(run);
    }

    @Test
    void skipPushPushesNothing() throws Exception {
        Path project = MavenRun.copyProject("properties-only");
        MavenRun.Outcome build = MavenRun.run(project, args("package", "portainer:build", "-Dportainer.push=false"));
        assertTrue(build.succeeded(), build.output());

        MavenRun.Outcome push = MavenRun.run(project, args("portainer:push", "-Dportainer.skipPush=true"));

        assertTrue(push.succeeded(), push.output());
        assertTrue(push.output().contains("Skipping portainer:push (portainer.skipPush=true)"), push.output());
        assertEquals(404, Registry.status(repo, "1.0.0"), "nothing pushed");
        assertTrue(result(project).get("digests").isEmpty(), "the result file still says not pushed");
    }

    @Test
    void aPushWithoutABuildFailsNamingTheResultFileAndHowToMakeIt() throws Exception {
        Path project = MavenRun.copyProject("properties-only");

        MavenRun.Outcome push = MavenRun.run(project, args("portainer:push"));

        assertFalse(push.succeeded(), push.output());
        Path file = project.resolve("target/portainer/" + stem + ".json");
        assertTrue(push.output().contains("No build result " + file + " for " + image + ": run portainer:build first,"
                + " e.g. mvn package portainer:build -Dportainer.push=false, then portainer:push"), push.output());
        assertEquals(404, Registry.status(repo, "1.0.0"));
        ItChecks.assertNothingLeftBehind(push);
    }

    @Test
    void pushesEveryImageOfImagesEachFromItsOwnResultFile() throws Exception {
        String prefix = MavenRun.REGISTRY + "/it/push-several-" + UUID.randomUUID().toString().substring(0, 8);
        String[] names = {"api", "web", "worker"};
        String[] tags = {"1.0.0", "2.0", "1.0.0"};
        Path project = MavenRun.copyProject("several-images");
        try {
            MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dit.prefix=" + prefix,
                    "-Dportainer.push=false");
            assertTrue(build.succeeded(), build.output());
            ItChecks.assertNothingLeftBehind(build);

            MavenRun.Outcome push = MavenRun.run(project, "portainer:push", "-Dit.prefix=" + prefix);

            assertTrue(push.succeeded(), push.output());
            // The three pushes ran in one executor on the agent that built them.
            List<String> executors = push.output().lines().filter(l -> l.contains("Launched portainer-"))
                    .map(l -> l.replaceAll(".* in executor (portainer-executor-[0-9a-f-]+).*", "$1")).toList();
            assertEquals(3, executors.size(), push.output());
            assertTrue(executors.get(0).startsWith("portainer-executor-"), push.output());
            assertEquals(1, executors.stream().distinct().count(), "one executor for the three: " + executors);
            for (int i = 0; i < names.length; i++) {
                String repository = prefix.substring(MavenRun.REGISTRY.length() + 1) + "-" + names[i];
                String digest = Registry.digest(repository, tags[i]);
                assertTrue(push.output().contains("Pushed " + prefix + "-" + names[i] + ":" + tags[i] + "@" + digest),
                        names[i] + ": " + push.output());
                JsonNode json = new ObjectMapper().readTree(project.resolve("target/portainer/"
                        + repository.substring("it/".length()) + ".json").toFile());
                assertEquals(digest, json.at("/digests/" + tags[i]).asText(), names[i] + "'s own result file");
            }
            ItChecks.assertNothingLeftBehind(push);
        } finally {
            for (int i = 0; i < names.length; i++) {
                Docker.run("rmi", "-f", prefix + "-" + names[i] + ":" + tags[i]);
            }
        }
    }
}
