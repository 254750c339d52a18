package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.build.ImageRef;
import dev.portainer.core.build.RunSettings;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.DockerfileLocation;
import dev.portainer.core.scheduler.TaskFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Core names settings in its own terms; a Maven user reads the parameter and the property that set each. */
class MavenSuggestionsTest {
    private static final MavenSuggestions MAVEN = MavenSuggestions.INSTANCE;

    @TempDir
    Path dir;

    @Test
    void namesTheParameterAndItsProperty() {
        assertEquals("fix <buildCpu> (portainer.buildCpu), or <buildMem>",
                Message.of("fix ", Setting.BUILD_CPU, ", or ", Setting.BUILD_MEM.named()).render(MAVEN));
        assertEquals("<images>", MAVEN.howToSet(Setting.IMAGES), "a pom-only parameter has no property");
        assertEquals("add x to the <dependencies> of portainer-maven-plugin in your pom",
                Message.of("add x to ", Setting.PLUGIN_CLASSPATH).render(MAVEN));
    }

    @Test
    void coresRefusalsReadInMavensTerms() throws Exception {
        assertTrue(MAVEN.describe(assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("App")))
                .endsWith("; fix <image> (portainer.image)"));
        assertTrue(MAVEN.describe(assertThrows(IllegalArgumentException.class, () -> RunSettings.builder()
                .work(dir, dir.resolve("executor.jar")).timeout(Duration.ZERO).build()))
                .contains("fix <timeout> (portainer.timeout), or leave it unset for the default of 2 hours"));
        Files.createDirectories(dir.resolve("ctx"));
        ContextException missing = assertThrows(ContextException.class,
                () -> DockerfileLocation.find(dir.resolve("ctx"), null, "src/docker/Dockerfile"));
        assertTrue(MAVEN.describe(missing).endsWith(": set <dockerfile> to its path, relative to the context or to the"
                + " project directory"), MAVEN.describe(missing));
        TaskFailedException retriesUsedUp = new TaskFailedException("team/app", "agent-1", "TASK_LOST", null, null,
                null, List.of("attempt 1: lost"), 2);
        assertTrue(MAVEN.describe(retriesUsedUp).endsWith("Raise <retries> (portainer.retries) or check the agents'"
                + " logs"), MAVEN.describe(retriesUsedUp));
    }

    @Test
    void theFrameworkCredentialIsAPrincipalAndASettingsServer() {
        assertEquals("Set <principal> (portainer.principal) to the framework principal and <mesosServerId>"
                + " (portainer.mesosServerId) to the id of a settings.xml <server> whose <password> is its secret",
                Message.of("Set ", Setting.MESOS_CREDENTIAL).render(MAVEN));
        assertEquals("Check the principal and the <password> of that server in settings.xml against the master's"
                + " --credentials", Message.of("Check ", Setting.MESOS_CREDENTIAL.named(), " against the master's"
                + " --credentials").render(MAVEN));
    }

    @Test
    void aFailureThatNamesNoSettingIsItsMessage() {
        IllegalStateException bug = new IllegalStateException("no such state");
        assertEquals("no such state", MAVEN.describe(bug));
    }
}
