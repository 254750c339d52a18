package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Suggestions;
import dev.portainer.core.scheduler.BuildEvents;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePushTest {
    @TempDir
    Path work;

    private static final BuildEvents QUIET = QuietEvents.INSTANCE;

    @Test
    void imagesBuiltInTheExecutorsOwnDaemonAreRefusedBeforeAnythingStarts() {
        RunSettings settings = RunSettings.builder().work(work, work.resolve("executor.jar"))
                .containerImage("127.0.0.1:5000/portainer/dind:1", List.of()).build();
        ImageToPush image = new ImageToPush(new BuildResult(ImageRef.parse("app"), List.of("1"), "sha256:1", null, -1,
                "agent-1"), null);

        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ImagePush.ofThisProcess()
                .push(settings, List.of(image), QUIET, () -> {
                    throw new AssertionError("no cluster may be started");
                }));

        assertEquals("The images were built in the executor's own Docker daemon (containerImage"
                + " 127.0.0.1:5000/portainer/dind:1), which ended with its build: there is nothing left to push. Push"
                + " in the build itself, or build without containerImage", Suggestions.PLAIN.describe(e));
    }
}
