package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The plugin used like the original command-line tool: no pom, only properties; and its generated help. */
class CommandLineIT {
    private static final String PLUGIN = "dev.portainer:portainer-maven-plugin:"
            + System.getProperty("portainer.version");

    @Test
    void theGoalTypedOnTheCommandLineRunsInEveryModuleOfAReactor() throws Exception {
        Path dir = MavenRun.copyProject("cli-reactor");
        String tag = "cli-" + UUID.randomUUID().toString().substring(0, 8);

        MavenRun.Outcome build = MavenRun.run(dir, "package", "dev.portainer:portainer-maven-plugin:"
                + System.getProperty("portainer.version") + ":build", "-Dportainer.skipPush=true",
                "-Dportainer.tags=" + tag);

        assertTrue(build.succeeded(), build.output());
        try {
            for (String module : new String[] {"first", "second"}) {
                assertTrue(build.output().contains("built module " + module), build.output());
                Docker.ok("image", "inspect", "cli-reactor-" + module + ":" + tag);
            }
            // The aggregator has no Dockerfile: one line, no failure.
            assertTrue(build.output().contains("Skipping portainer:build for cli-reactor: no Dockerfile"),
                    build.output());
        } finally {
            Docker.run("rmi", "-f", "cli-reactor-first:" + tag, "cli-reactor-second:" + tag);
        }
    }

    @Test
    void buildsTheCurrentDirectoryWithoutAPom() throws Exception {
        String repo = "it/no-pom-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/" + repo;
        Path dir = MavenRun.copyProject("no-pom");
        assertFalse(Files.exists(dir.resolve("pom.xml")));

        MavenRun.Outcome build = MavenRun.run(dir, PLUGIN + ":build-standalone", "-Dportainer.contextDirectory=.",
                "-Dportainer.image=" + image);

        assertTrue(build.succeeded(), build.output());
        try {
            // No pom: the tag defaults to latest and the results go to target/portainer in the context.
            JsonNode json = new ObjectMapper().readTree(dir.resolve("target/portainer/" + repo.substring(3) + ".json")
                    .toFile());
            assertEquals(image, json.get("image").asText());
            assertEquals("latest", json.get("tags").get(0).asText());
            assertEquals(json.get("digest").asText(), Registry.digest(repo, "latest"));
            assertEquals("built without a pom", Docker.ok("run", "--rm", image + ":latest").trim());
        } finally {
            Docker.run("rmi", "-f", image + ":latest");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void withoutAPomTheImageIsRequired() throws Exception {
        Path dir = MavenRun.copyProject("no-pom");

        MavenRun.Outcome build = MavenRun.run(dir, PLUGIN + ":build-standalone");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("No image to build: without a pom, give the repository with "
                + "-Dportainer.image="), build.output());
    }

    @Test
    void offlineModeRefusesARemoteMasterAtOnce() throws Exception {
        Path dir = MavenRun.copyProject("no-pom");

        MavenRun.Outcome build = MavenRun.run(dir, "-o", PLUGIN + ":build-standalone", "-Dportainer.image=" + MavenRun.REGISTRY
                + "/it/offline", "-Dportainer.mesosMaster=mesos.invalid:5050");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("Maven is offline (-o) but mesosMaster is mesos.invalid:5050"),
                build.output());
        assertFalse(build.output().contains("Packed context"), build.output());
    }

    @Test
    void helpGoalDescribesEveryParameterWithItsProperty() throws Exception {
        Path dir = MavenRun.copyProject("no-pom");

        MavenRun.Outcome help = MavenRun.run(dir, PLUGIN + ":help", "-Ddetail", "-Dgoal=build");

        assertTrue(help.succeeded(), help.output());
        for (String property : new String[] {"portainer.mesosMaster", "portainer.image", "portainer.tags",
                "portainer.skip", "portainer.skipPush", "portainer.buildCpu", "portainer.contextDirectory"}) {
            assertTrue(help.output().contains("User property: " + property), property + " in\n" + help.output());
        }
    }
}
