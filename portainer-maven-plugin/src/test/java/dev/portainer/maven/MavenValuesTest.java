package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.config.InvalidSettingException;
import java.io.File;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MavenValuesTest {
    private static Properties properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    private final Map<String, Object> project = Map.of("project.build.finalName", "app-1.0",
            "project.basedir", new File("/work/app"), "project.build", new Object(), "basedir", new File("/work/app"));
    private final MavenValues values = new MavenValues(project::get,
            properties("tag", "from-command-line"),
            properties("tag", "from-pom", "java.version", "17", "project.build.sourceEncoding", "UTF-8"),
            properties("java.version", "17.0.9", "env.HOME", "/root", "env.PORTAINER_REGISTRY_PASSWORD", "pw",
                    "env.DOCKER_AUTH_CONFIG", "{}"));

    @Test
    void projectValuesComeFirstThenUserProjectAndSystemPropertiesAsInAPom() {
        assertEquals(Optional.of("app-1.0"), values.value("project.build.finalName"));
        assertEquals(Optional.of("/work/app"), values.value("project.basedir"));
        assertEquals(Optional.of("/work/app"), values.value("basedir"));
        assertEquals(Optional.of("from-command-line"), values.value("tag"));
        assertEquals(Optional.of("17"), values.value("java.version"), "the pom's property over the JVM's");
        assertEquals(Optional.of("/root"), values.value("env.HOME"));
    }

    @Test
    void aProjectNameThatIsAPropertyIsFoundAmongTheProperties() {
        assertEquals(Optional.of("UTF-8"), values.value("project.build.sourceEncoding"));
    }

    @Test
    void objectsAndUnknownNamesAreNoValues() {
        assertEquals(Optional.empty(), values.value("project.build"));
        assertEquals(Optional.empty(), values.value("project.nope"));
        assertEquals(Optional.empty(), values.value("APP_HOME"));
    }

    @Test
    void registryCredentialsFromTheEnvironmentAreNeverFilledIn() {
        for (String name : new String[] {"env.PORTAINER_REGISTRY_PASSWORD", "env.DOCKER_AUTH_CONFIG"}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> values.value(name));
            String message = e.explanation().render(MavenSuggestions.INSTANCE);
            assertTrue(message.startsWith("The Dockerfile refers to ${" + name + "}, a registry credential: "
                    + "<filterDockerfile> never fills in credentials"), message);
            assertFalse(message.contains("pw"), message);
        }
    }
}
