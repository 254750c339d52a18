package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The examples a newcomer starts from, built as the site tells them to. */
class ExamplesIT {

    @Test
    void multiModuleReactorBuildsTwoImagesInParallelAndSkipsTheLibrary() throws Exception {
        String prefix = "it/mm-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = MavenRun.copyExample("multi-module");

        MavenRun.Outcome build = MavenRun.run(project, "-T", "4", "package",
                "-Dimage.prefix=" + MavenRun.REGISTRY + "/" + prefix);

        assertTrue(build.succeeded(), build.output());
        List<String> skipped = build.output().lines().filter(l -> l.contains("Skipping portainer:build for "))
                .toList();
        assertEquals(2, skipped.size(), String.join("\n", skipped));
        assertTrue(skipped.stream().anyMatch(l -> l.contains("for greeting: no Dockerfile")), skipped.toString());
        assertTrue(skipped.stream().anyMatch(l -> l.contains("for multi-module-parent: no Dockerfile")),
                skipped.toString());
        String app = MavenRun.REGISTRY + "/" + prefix + "/greeter-app";
        String page = MavenRun.REGISTRY + "/" + prefix + "/status-page";
        try {
            for (String repo : List.of(prefix + "/greeter-app", prefix + "/status-page")) {
                String digest = Files.readString(project.resolve(repo.endsWith("app") ? "greeter-app" : "status-page")
                        .resolve("target/portainer/" + repo.substring(repo.lastIndexOf('/') + 1) + ".digest")).trim();
                assertEquals(digest, Registry.digest(repo, "1.0.0"), repo);
                assertEquals(digest, Registry.digest(repo, "latest"), repo);
            }
            // The Java image runs the application with its library on the class path.
            assertEquals("Hello, reactor! (from the greeting library)",
                    Docker.ok("run", "--rm", app + ":1.0.0", "reactor").trim());
            assertEquals("<html><body><h1>status: ok</h1></body></html>",
                    Docker.ok("run", "--rm", page + ":1.0.0", "cat", "/www/index.html").trim());
        } finally {
            Docker.run("rmi", "-f", app + ":1.0.0", app + ":latest", page + ":1.0.0", page + ":latest");
        }
        // Both modules' target/portainer, and both frameworks' containers and processes.
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void javaAppIsPackagedByMavenThenContainerised() throws Exception {
        String repo = "it/java-app-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/" + repo;
        Path project = MavenRun.copyExample("java-app");

        MavenRun.Outcome build = MavenRun.run(project, "package", "-Dportainer.image=" + image);

        assertTrue(build.succeeded(), build.output());
        try {
            assertEquals("java-app 1.0.0 running on Java 17", Docker.ok("run", "--rm", image + ":1.0.0").trim());
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
        ItChecks.assertNothingLeftBehind(build);
    }
}
