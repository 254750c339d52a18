package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterParsingTest {

    @Test
    void propertyEntriesMergeWithThePomMapAndWinOnTheSameKey() {
        Map<String, String> pom = new LinkedHashMap<>();
        pom.put("A", "pom");
        pom.put("B", "b");
        assertEquals(Map.of("A", "cli", "B", "b", "C", "x=y", "D", ""),
                ParameterParsing.mergeKeyValues(pom, "A=cli, C=x=y,D=,", "buildArgs", true));
    }

    @Test
    void aBareBuildArgNameOnTheCommandLineIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterParsing.mergeKeyValues(null, "A=1,TOKEN", "buildArgs", true));
        assertTrue(e.getMessage().contains("Build arg 'TOKEN' has no value") && e.getMessage().contains("TOKEN=value")
                && e.getMessage().contains("environment"), e.getMessage());
    }

    @Test
    void anEmptyBuildArgFromThePomOrTheCommandLineIsTheEmptyValue() {
        // What Maven hands the Mojo for <EMPTY></EMPTY> (and <EMPTY/>) in a map parameter: null.
        Map<String, String> pom = new HashMap<>();
        pom.put("EMPTY", null);
        assertEquals(Map.of("EMPTY", ""), ParameterParsing.mergeKeyValues(pom, null, "buildArgs", true));
        assertEquals(Map.of("EMPTY", ""), ParameterParsing.mergeKeyValues(null, "EMPTY=", "buildArgs", true));
        // The command line's empty value wins over the pom's, as any other value does.
        assertEquals(Map.of("EMPTY", ""), ParameterParsing.mergeKeyValues(Map.of("EMPTY", "pom"), "EMPTY=",
                "buildArgs", true));
    }

    @Test
    void aLabelWithoutEqualsNamesTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterParsing.mergeKeyValues(null, "team", "labels", false));
        assertTrue(e.getMessage().contains("portainer.labels"), e.getMessage());
    }

    @Test
    void sizesTakeDockersUnits() {
        assertEquals(67108864L, ParameterParsing.byteSize("64m", "shmSize"));
        assertEquals(1073741824L, ParameterParsing.byteSize("1GB", "shmSize"));
        assertEquals(512L, ParameterParsing.byteSize("512", "shmSize"));
        assertEquals(null, ParameterParsing.byteSize(" ", "shmSize"));
        assertThrows(IllegalArgumentException.class, () -> ParameterParsing.byteSize("lots", "shmSize"));
    }
}
