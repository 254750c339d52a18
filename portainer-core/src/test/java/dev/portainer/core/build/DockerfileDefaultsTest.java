package dev.portainer.core.build;

import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.dockerfile.PortainerInstructions;
import dev.portainer.core.dockerfile.PreparedDockerfile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileDefaultsTest {
    private static PortainerInstructions instructions(String dockerfile) {
        return PreparedDockerfile.of("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8), null, Map.of())
                .portainer();
    }

    @Test
    void theDockerfilesInstructionsApplyWhenThePomSaysNothing() {
        PortainerInstructions found = instructions("FROM x\nREPOSITORY team/app\nREGISTRY r.example:5000\n"
                + "BUILD_CPU 2\nbuild_mem 1024\n");
        DockerfileDefaults d = DockerfileDefaults.resolve(found, null, "artifact", null, null);
        assertEquals("r.example:5000/team/app", d.image().name());
        assertEquals(2, d.buildCpu());
        assertEquals(1024, d.buildMemMb());
        assertEquals(3, d.notes().size(), d.notes().toString());
    }

    @Test
    void pomValuesWinAndTheIgnoredInstructionsAreReported() {
        PortainerInstructions found = instructions("FROM x\nREPOSITORY team/app\nBUILD_CPU 2\n");
        DockerfileDefaults d = DockerfileDefaults.resolve(found, "pom/image", "artifact", 0.5, null);
        assertEquals("pom/image", d.image().name());
        assertEquals(0.5, d.buildCpu());
        assertEquals(DockerfileDefaults.DEFAULT_MEM_MB, d.buildMemMb());
        assertTrue(d.notes().stream().allMatch(n -> n.toString().contains("ignored")), d.notes().toString());
    }

    @Test
    void registryAloneKeepsTheDefaultRepositoryAndNoDockerfileMeansDefaults() {
        PortainerInstructions found = instructions("FROM x\nREGISTRY localhost:5000\n");
        assertEquals("localhost:5000/artifact", DockerfileDefaults.resolve(found, null, "artifact",
                null, null).image().name());
        DockerfileDefaults none = DockerfileDefaults.resolve(PortainerInstructions.NONE, null, "artifact", null,
                null);
        assertEquals("artifact", none.image().name());
        assertEquals(DockerfileDefaults.DEFAULT_CPU, none.buildCpu());
    }

    @Test
    void aBadValueNamesTheInstructionAndTheParameterThatWins() {
        PortainerInstructions found = instructions("FROM x\nBUILD_CPU lots\n");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> DockerfileDefaults.resolve(found, null, "artifact", null, null));
        assertTrue(e.getMessage().contains("BUILD_CPU 'lots'") && e.getMessage().contains("set buildCpu which wins"),
                e.getMessage());
        assertEquals(java.util.List.of(Setting.BUILD_CPU), e.explanation().settings());
    }
}
