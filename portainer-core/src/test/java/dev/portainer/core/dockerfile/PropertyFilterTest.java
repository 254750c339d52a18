package dev.portainer.core.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PropertyFilterTest {
    private static final Map<String, String> MAVEN = Map.of(
            "project.build.finalName", "app-1.0",
            "project.artifactId", "app",
            "project.version", "1.0",
            "java.version", "17",
            "with-dash_and.dot", "ok",
            "nested", "${project.version}");

    private static PropertyFilter.Result filter(String text) {
        return PropertyFilter.filter(text, '\\', name -> Optional.ofNullable(MAVEN.get(name)));
    }

    @Test
    void fillsKnownNamesAndLeavesDockersOwnVariables() {
        PropertyFilter.Result result = filter(String.join("\n",
                "FROM busybox",
                "ARG JAR=${project.build.finalName}.jar",
                "ENV HOME_DIR=${HOME} VERSION=${project.version}",
                "COPY target/${project.build.finalName}.jar /opt/${project.artifactId}/",
                "RUN echo ${VERSION:-none} $HOME ${UNKNOWN.name}",
                ""));

        assertEquals(String.join("\n",
                "FROM busybox",
                "ARG JAR=app-1.0.jar",
                "ENV HOME_DIR=${HOME} VERSION=1.0",
                "COPY target/app-1.0.jar /opt/app/",
                "RUN echo ${VERSION:-none} $HOME ${UNKNOWN.name}",
                ""), result.text());
        assertEquals(List.of(new PropertyFilter.Reference("project.build.finalName", 2, "app-1.0"),
                new PropertyFilter.Reference("project.version", 3, "1.0"),
                new PropertyFilter.Reference("project.build.finalName", 4, "app-1.0"),
                new PropertyFilter.Reference("project.artifactId", 4, "app")), result.filled());
        assertEquals(List.of(new PropertyFilter.Reference("HOME", 3, null),
                new PropertyFilter.Reference("UNKNOWN.name", 5, null)), result.unresolved());
    }

    @Test
    void aReferenceBehindTheEscapeCharacterIsDockersLiteralAndStays() {
        assertEquals("RUN echo \\${project.version} \\\\1.0", filter("RUN echo \\${project.version} \\\\${project.version}")
                .text());
        // With `# escape=`` the backslash is an ordinary character and the backtick escapes.
        assertEquals("# escape=`\nCOPY a\\1.0 `${project.version}\n", PropertyFilter.filter(
                "# escape=`\nCOPY a\\${project.version} `${project.version}\n", '`',
                name -> Optional.ofNullable(MAVEN.get(name))).text());
    }

    @Test
    void valuesAreNotFilteredAgain() {
        assertEquals("LABEL v=${project.version} n=ok", filter("LABEL v=${nested} n=${with-dash_and.dot}").text());
    }

    @Test
    void nothingToFillLeavesTheVeryTextAlone() {
        String text = "FROM busybox\nRUN echo ${HOME}\n";
        PropertyFilter.Result result = filter(text);

        assertSame(text, result.text());
        assertFalse(result.changed());
    }

    @Test
    void onlyPlainReferencesInsideDockersDefaultFormsAreFilled() {
        assertEquals("ARG V=${TAG:-1.0}", filter("ARG V=${TAG:-${project.version}}").text());
    }

    @Test
    void namesInAnErrorMessageAreFound() {
        assertEquals(List.of("project.build.finalName"), PropertyFilter.namesIn(
                "failed to process \"target/${project.build.finalName}.jar\": missing ':' in substitution"));
        assertEquals(List.of(), PropertyFilter.namesIn(null));
    }
}
