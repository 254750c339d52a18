package dev.portainer.core.dockerfile;

import dev.portainer.core.config.Setting;
import dev.portainer.core.config.Message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreparedDockerfileTest {
    private static PreparedDockerfile prepare(String text, String pullRegistry, Map<String, String> buildArgs) {
        return PreparedDockerfile.of("Dockerfile", text.getBytes(StandardCharsets.UTF_8), pullRegistry, buildArgs);
    }

    @Test
    void pulledImagesSkipStagesScratchAndCommentsAndResolveArgs() {
        String dockerfile = String.join("\n",
                "# FROM commented.example.com/x",
                "ARG BASE=debian:12",
                "ARG UNSET",
                "FROM --platform=linux/amd64 127.0.0.1:5001/portainer/busybox:latest AS builder",
                "RUN echo hi",
                "from builder",
                "FROM scratch",
                "FROM ${BASE}",
                "FROM ${UNSET}",
                "FROM \\",
                "  reg.example.com:443/base@sha256:0123 as final",
                "COPY --from=builder /a /a",
                "COPY --from=0 /a /a",
                "COPY --from=tools:1 /bin/t /t",
                "FROM busybox AS busybox",
                "");
        assertEquals(List.of("127.0.0.1:5001/portainer/busybox:latest", "debian:12",
                        "reg.example.com:443/base@sha256:0123", "tools:1", "busybox"),
                prepare(dockerfile, null, Map.of()).pulledImages());
        assertEquals(List.of("127.0.0.1:5001/portainer/busybox:latest", "ubuntu:24.04",
                        "reg.example.com:443/base@sha256:0123", "tools:1", "busybox"),
                prepare(dockerfile, null, Map.of("BASE", "ubuntu:24.04")).pulledImages());
    }

    /** The scan the credentials lookup used before knew neither the escape directive nor heredoc bodies. */
    @Test
    void pulledImagesKnowTheEscapeDirectiveAndHeredocs() {
        String dockerfile = String.join("\n",
                "# escape=`",
                "FROM `",
                "  reg.example.com/base:1",
                "RUN <<EOF",
                "FROM not.an.image/inside-a-heredoc",
                "EOF",
                "FROM second.example.com/x",
                "");
        assertEquals(List.of("reg.example.com/base:1", "second.example.com/x"),
                prepare(dockerfile, null, Map.of()).pulledImages());
    }

    /** So that a pull from the mirror uses the mirror's credentials. */
    @Test
    void pulledImagesAreThoseOfTheRewrittenDockerfile() {
        PreparedDockerfile prepared = prepare("FROM debian:12 AS base\nFROM base\nCOPY --from=tools /t /t\n"
                + "FROM gcr.io/distroless/base\n", "mirror:5000", Map.of());
        assertEquals(List.of("mirror:5000/debian:12", "mirror:5000/tools", "gcr.io/distroless/base"),
                prepared.pulledImages());
        assertTrue(new String(prepared.forDocker(), StandardCharsets.UTF_8).startsWith("FROM mirror:5000/debian:12 AS"));
        assertEquals(List.of("pullRegistry mirror:5000: line 1: FROM debian:12 -> mirror:5000/debian:12",
                "pullRegistry mirror:5000: line 3: COPY --from=tools -> mirror:5000/tools"), prepared.notes());
    }

    @Test
    void portainersInstructionsAreReadOnceAndLeftOutOfWhatDockerGets() {
        PreparedDockerfile prepared = prepare("FROM busybox\nREPOSITORY team/app\nBUILD_MEM 1024\n", null, Map.of());
        assertEquals("team/app", prepared.portainer().repository());
        assertEquals("1024", prepared.portainer().buildMem());
        String sent = new String(prepared.forDocker(), StandardCharsets.UTF_8);
        assertTrue(sent.startsWith("FROM busybox\n# REPOSITORY team/app (read by Portainer"), sent);
        assertEquals(List.of("Dockerfile Dockerfile: REPOSITORY team/app (line 2), BUILD_MEM 1024 (line 3) read by "
                + "Portainer and left out of what Docker gets"), prepared.notes());
    }

    @Test
    void aDockerfileThatIsNotUtf8IsSentAsItIsAndStillScanned() {
        byte[] latin1 = "FROM reg.example.com/base\nLABEL caf\u00e9=1\n".getBytes(StandardCharsets.ISO_8859_1);
        PreparedDockerfile prepared = PreparedDockerfile.of("Dockerfile", latin1, "mirror:5000", Map.of());
        assertArrayEquals(latin1, prepared.forDocker());
        assertEquals(PortainerInstructions.NONE, prepared.portainer());
        assertEquals(List.of("reg.example.com/base"), prepared.pulledImages());
        assertEquals(List.of(Message.of("Dockerfile Dockerfile is not UTF-8; ", Setting.PULL_REGISTRY.named(),
                " is not applied to it")), prepared.warnings());
    }

    @Test
    void anUnchangedDockerfileIsSentByteForByte() {
        byte[] original = "\uFEFFFROM busybox\r\nRUN true".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(original, PreparedDockerfile.of("Dockerfile", original, null, Map.of()).forDocker());
    }
}
