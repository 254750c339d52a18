package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.context.ContextException;
import dev.portainer.core.scheduler.BuildEvents;
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
        BuildRequest request = BuildRequest.builder(context, image, List.of("1.0")).resources(1, 64)
                .mesosMaster("127.0.0.1:1").work(work, dir.resolve("executor.jar"))
                .framework(new FrameworkSettings("portainer", "nobody", "*", Duration.ofMinutes(1)))
                .offerTimeout(Duration.ofSeconds(1)).build();

        assertThrows(ContextException.class, () -> ImageBuild.run(request, new BuildEvents() {
            @Override
            public void info(String message) {
            }

            @Override
            public void log(String taskName, String line) {
            }

            @Override
            public void warn(String message) {
            }
        }, () -> {
            throw new AssertionError("no local master for a remote build");
        }));

        for (String suffix : List.of(".id", ".digest", ".json")) {
            assertFalse(Files.exists(work.resolve("app" + suffix)), "stale app" + suffix + " must be gone");
        }
    }
}
