package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileDefaultsTest {
    @TempDir
    Path context;

    @Test
    void theDockerfilesInstructionsApplyWhenThePomSaysNothing() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM x\nREPOSITORY team/app\nREGISTRY r.example:5000\n"
                + "BUILD_CPU 2\nbuild_mem 1024\n");
        DockerfileDefaults d = DockerfileDefaults.resolve(context, "Dockerfile", null, "artifact", null, null);
        assertEquals("r.example:5000/team/app", d.image().name());
        assertEquals(2, d.buildCpu());
        assertEquals(1024, d.buildMemMb());
        assertEquals(3, d.notes().size(), d.notes().toString());
    }

    @Test
    void pomValuesWinAndTheIgnoredInstructionsAreReported() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM x\nREPOSITORY team/app\nBUILD_CPU 2\n");
        DockerfileDefaults d = DockerfileDefaults.resolve(context, "Dockerfile", "pom/image", "artifact", 0.5, null);
        assertEquals("pom/image", d.image().name());
        assertEquals(0.5, d.buildCpu());
        assertEquals(DockerfileDefaults.DEFAULT_MEM_MB, d.buildMemMb());
        assertTrue(d.notes().stream().allMatch(n -> n.contains("ignored")), d.notes().toString());
    }

    @Test
    void registryAloneKeepsTheDefaultRepositoryAndNoDockerfileMeansDefaults() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM x\nREGISTRY localhost:5000\n");
        assertEquals("localhost:5000/artifact", DockerfileDefaults.resolve(context, "Dockerfile", null, "artifact",
                null, null).image().name());
        DockerfileDefaults none = DockerfileDefaults.resolve(context, "missing/Dockerfile", null, "artifact", null,
                null);
        assertEquals("artifact", none.image().name());
        assertEquals(DockerfileDefaults.DEFAULT_CPU, none.buildCpu());
    }

    @Test
    void aBadValueNamesTheInstructionAndTheParameterThatWins() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM x\nBUILD_CPU lots\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DockerfileDefaults.resolve(context, "Dockerfile", null, "artifact", null, null));
        assertTrue(e.getMessage().contains("BUILD_CPU 'lots'") && e.getMessage().contains("<buildCpu>"),
                e.getMessage());
    }
}
