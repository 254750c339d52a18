package dev.portainer.core.dockerfile;

import dev.portainer.wire.image.ImageNames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileRewriteTest {
    private static final String REG = "mirror:5000";

    private static String rewrite(String text) {
        return DockerfileRewrite.rewrite(Dockerfile.parse(text), REG, Map.of()).text();
    }

    @Test
    void prefixesImagesWithoutRegistryHostAndKeepsStageNames() {
        String out = rewrite("FROM golang:1.22 AS build\nRUN go build\nFROM Build AS again\nFROM alpine\n"
                + "COPY --from=build /app /app\nCOPY --from=busybox:1 /bin/sh /sh\nCOPY --from=0 /x /x\n");
        assertEquals("FROM mirror:5000/golang:1.22 AS build\nRUN go build\nFROM Build AS again\n"
                + "FROM mirror:5000/alpine\nCOPY --from=build /app /app\nCOPY --from=mirror:5000/busybox:1 /bin/sh /sh\n"
                + "COPY --from=0 /x /x\n", out);
    }

    @Test
    void leavesScratchAndImagesThatNameTheirRegistry() {
        String in = "from scratch\nFROM 127.0.0.1:5000/portainer/busybox@sha256:" + "a".repeat(64) + "\n"
                + "FROM localhost/x\nFROM gcr.io/distroless/base\n";
        DockerfileRewrite.Result result = DockerfileRewrite.rewrite(Dockerfile.parse(in), REG, Map.of());
        assertEquals(in, result.text());
        assertFalse(result.changed());
    }

    @Test
    void rewritesDigestReferencesWithoutHost() {
        assertEquals("FROM mirror:5000/busybox@sha256:" + "b".repeat(64) + "\n",
                rewrite("FROM busybox@sha256:" + "b".repeat(64) + "\n"));
    }

    @Test
    void keepsPlatformFlagAndKeywordCase() {
        assertEquals("from --platform=$BUILDPLATFORM mirror:5000/team/app:1 as b\n",
                rewrite("from --platform=$BUILDPLATFORM team/app:1 as b\n"));
    }

    @Test
    void joinsContinuationLinesAndKeepsTheLineCount() {
        String out = rewrite("FROM \\\n  # a comment inside\n  debian:12 \\\n  AS base\nRUN true\n");
        assertEquals("FROM mirror:5000/debian:12 AS base\n#\n#\n#\nRUN true\n", out);
    }

    @Test
    void honoursTheEscapeDirective() {
        Dockerfile file = Dockerfile.parse("# escape=`\nFROM `\n  debian\nRUN echo a\\\n");
        assertEquals('`', file.escape());
        assertEquals(List.of("FROM", "RUN"), file.instructions().stream().map(Instruction::keyword).toList());
        assertEquals("debian", file.instructions().get(0).arguments().strip());
        assertEquals("echo a\\", file.instructions().get(1).arguments());
    }

    @Test
    void resolvesGlobalArgsAndWarnsWhenItCannot() {
        assertEquals("ARG BASE=alpine:3\nFROM mirror:5000/alpine:3\n", rewrite("ARG BASE=alpine:3\nFROM ${BASE}\n"));
        assertEquals("ARG BASE=alpine:3\nFROM mirror:5000/debian\n", DockerfileRewrite.rewrite(
                Dockerfile.parse("ARG BASE=alpine:3\nFROM ${BASE}\n"), REG, Map.of("BASE", "debian")).text());
        DockerfileRewrite.Result unresolved = DockerfileRewrite.rewrite(Dockerfile.parse("ARG BASE\nFROM $BASE\n"),
                REG, Map.of());
        assertEquals("ARG BASE\nFROM $BASE\n", unresolved.text());
        assertEquals(1, unresolved.warnings().size());
        assertTrue(unresolved.warnings().get(0).toString().contains("line 2"), unresolved.warnings().toString());
        assertEquals("FROM mirror:5000/x:1\n", rewrite("FROM ${NOPE:-x}:1\n"));
    }

    @Test
    void stripsOriginalPortainerInstructionsAsComments() {
        String in = "FROM busybox\nrepository team/app\nREGISTRY r:5000\nBUILD_CPU 0.5\nBUILD_MEM \\\n  256\nRUN x\n";
        Dockerfile file = Dockerfile.parse(in);
        PortainerInstructions found = PortainerInstructions.of(file);
        assertEquals("team/app", found.repository());
        assertEquals("r:5000", found.registry());
        assertEquals("0.5", found.buildCpu());
        assertEquals("256", found.buildMem());
        String out = DockerfileRewrite.rewrite(file, null, Map.of()).text();
        assertEquals("FROM busybox\n# REPOSITORY team/app (read by Portainer, not sent to Docker)\n"
                + "# REGISTRY r:5000 (read by Portainer, not sent to Docker)\n"
                + "# BUILD_CPU 0.5 (read by Portainer, not sent to Docker)\n"
                + "# BUILD_MEM 256 (read by Portainer, not sent to Docker)\n#\nRUN x\n", out);
    }

    @Test
    void skipsHeredocBodiesAndRewritesRunMountFrom() {
        String in = "FROM alpine\nRUN <<EOF\nFROM not-an-instruction\nEOF\nRUN --mount=type=bind,from=tools,target=/t ls\n";
        Dockerfile file = Dockerfile.parse(in);
        assertEquals(3, file.instructions().size());
        assertEquals("FROM mirror:5000/alpine\nRUN <<EOF\nFROM not-an-instruction\nEOF\n"
                + "RUN --mount=type=bind,from=mirror:5000/tools,target=/t ls\n", rewrite(in));
    }

    @Test
    void withoutPullRegistryNothingChanges() {
        String in = "FROM alpine\r\nRUN x\n";
        DockerfileRewrite.Result result = DockerfileRewrite.rewrite(Dockerfile.parse(in), null, Map.of());
        assertEquals(in, result.text());
        assertFalse(result.changed());
    }

    @Test
    void registryHostFollowsDockersRule() {
        assertTrue(ImageNames.hasRegistryHost("a.b/c"));
        assertTrue(ImageNames.hasRegistryHost("a:5000/c"));
        assertTrue(ImageNames.hasRegistryHost("localhost/c"));
        assertTrue(ImageNames.hasRegistryHost("Host/c"));
        assertFalse(ImageNames.hasRegistryHost("team/c"));
        assertFalse(ImageNames.hasRegistryHost("busybox:1.36"));
        assertFalse(ImageNames.hasRegistryHost("busybox@sha256:abc"));
    }
}
