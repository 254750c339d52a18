package dev.portainer.core.build;

import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageRefTest {

    @ParameterizedTest
    @CsvSource({
            "app, , app",
            "team/app, , team/app",
            "127.0.0.1:5000/team/app, 127.0.0.1:5000, team/app",
            "localhost/app, localhost, app",
            "registry.example.com/a/b/c, registry.example.com, a/b/c",
            "[::1]:5000/app, [::1]:5000, app",
            "my_app/sub-module.v2, , my_app/sub-module.v2"})
    void splitsRegistryFromPathLikeDocker(String image, String registry, String path) {
        ImageRef ref = ImageRef.parse(image);
        assertEquals(registry, ref.registry());
        assertEquals(path, ref.path());
        assertEquals(image, ref.name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"App", "team/App", "app:1.0", "app@sha256:abc", "a//b", "-app", "app-", "host:5000/",
            "a..b", " "})
    void refusesNamesDockerRefusesAndSaysWhereToFixThem(String image) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ImageRef.parse(image));
        assertTrue(e.explanation().settings().contains(Setting.IMAGE), e.getMessage());
        assertTrue(e.getMessage().contains("image"), e.getMessage());
    }

    @Test
    void refusesAnUpperCaseFirstPartThatDockerVersionsReadDifferently() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("Team/app"));
        assertTrue(e.getMessage().contains("'Team' has upper-case letters"), e.getMessage());
        assertEquals("Registry.Example.com", ImageRef.parse("Registry.Example.com/team/app").registry());
    }

    @Test
    void checksTagsWithDockersGrammar() {
        assertEquals(List.of("1.0.0", "latest", "v1_2-rc.3"), ImageRef.validTags(List.of("1.0.0", "latest", "v1_2-rc.3")));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.validTags(List.of(".hidden")));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.validTags(List.of("a/b")));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.validTags(List.of()));
    }

    @Test
    void fileStemIsLastPathComponent() {
        assertEquals("app", ImageRef.parse("127.0.0.1:5000/team/app").fileStem());
        assertNull(ImageRef.parse("app").registry());
    }
}
