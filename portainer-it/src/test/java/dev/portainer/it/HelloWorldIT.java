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
import org.junit.jupiter.api.Test;

/** The README's example, end to end: built through Mesos, pushed, pulled back and run. */
class HelloWorldIT {

    @Test
    void buildsPushesAndRunsTheHelloWorldExample() throws Exception {
        String repo = "it/hello-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/" + repo;
        Path project = MavenRun.copyExample("hello-world");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image);

        assertTrue(build.succeeded(), build.output());
        // Docker's build log reached the Maven log, prefixed by the image name.
        assertTrue(build.output().contains("[" + image + "] ") && build.output().contains("hello-world: built on"),
                build.output());

        Path work = project.resolve("target/portainer");
        String stem = repo.substring(repo.lastIndexOf('/') + 1);
        String digest = Files.readString(work.resolve(stem + ".digest")).trim();
        String imageId = Files.readString(work.resolve(stem + ".id")).trim();
        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
        assertTrue(imageId.matches("sha256:[0-9a-f]{64}"), imageId);
        JsonNode json = new ObjectMapper().readTree(work.resolve(stem + ".json").toFile());
        assertEquals(image, json.get("image").asText());
        assertEquals(digest, json.get("digest").asText());

        // Both tags are in the registry, with the digest the build reported.
        for (String tag : List.of("1.0.0", "latest")) {
            assertEquals(digest, Registry.digest(repo, tag), "digest of tag " + tag);
        }

        // Pulled back by digest from the registry, the image runs and holds exactly what .dockerignore let through.
        Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        try {
            Docker.ok("pull", image + "@" + digest);
            String run = Docker.ok("run", "--rm", image + "@" + digest);
            assertTrue(run.contains("Hello from an image built on Mesos by Portainer!"), run);
            String files = Docker.ok("run", "--rm", image + "@" + digest, "ls", "-a", "/app");
            assertTrue(files.contains("message.txt") && files.contains("Dockerfile"), files);
            assertTrue(files.contains("public.secret"), "the ! exception re-includes public.secret: " + files);
            assertFalse(files.contains("local.secret"), "**/*.secret is ignored: " + files);
            assertFalse(files.contains("pom.xml"), "pom.xml is ignored: " + files);
            assertFalse(files.contains("target"), "target is ignored: " + files);
        } finally {
            Docker.run("rmi", "-f", image + "@" + digest);
        }
        ItChecks.assertNothingLeftBehind(build);
    }
}
