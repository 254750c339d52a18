package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A project without any plugin configuration, driven by -Dportainer.* properties alone. */
class PropertiesIT {

    @Test
    void commaSeparatedTagsPropertyBuildsEveryTag() throws Exception {
        String repo = "it/props-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/" + repo;
        Path project = MavenRun.copyProject("properties-only");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.tags=2.0.0,stable", "-Dportainer.buildCpu=0.5", "-Dportainer.buildMem=256");

        assertTrue(build.succeeded(), build.output());
        assertTrue(build.output().contains("properties-only-build"), build.output());
        // Portainer's own work directory (target/portainer, with the 30 MB executor jar) is never in the context.
        assertTrue(build.output().matches("(?s).*Packed context [^\\n]*\\([0-9.]+ (B|KB) compressed\\).*"),
                build.output());
        String digest = Files.readString(project.resolve("target/portainer/" + repo.substring(3) + ".digest")).trim();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                project.resolve("target/portainer/" + repo.substring(3) + ".json").toFile());
        for (String tag : new String[] {"2.0.0", "stable"}) {
            assertEquals(digest, Registry.digest(repo, tag), "tag " + tag);
            assertEquals(Registry.digest(repo, tag), json.at("/digests/" + tag).asText(), "each tag's own digest");
            assertTrue(build.output().contains("Pushed " + image + ":" + tag + "@" + Registry.digest(repo, tag)),
                    build.output());
        }
        assertEquals(404, Registry.status(repo, "1.0.0"), "the project version is not a tag when tags are given");
        Docker.run("rmi", "-f", image + ":2.0.0", image + ":stable");
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void skipDoesNothing() throws Exception {
        Path project = MavenRun.copyProject("properties-only");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.skip=true",
                "-Dportainer.image=" + MavenRun.REGISTRY + "/it/skipped");

        assertTrue(build.succeeded(), build.output());
        assertTrue(build.output().contains("Skipping portainer:build"), build.output());
        assertFalse(Files.exists(project.resolve("target/portainer")), "skip must not even prepare the work dir");
    }
}
