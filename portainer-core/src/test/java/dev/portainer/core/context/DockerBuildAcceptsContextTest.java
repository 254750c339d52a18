package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real judge: {@code docker build -} must accept our archive and honour .dockerignore. Needs a daemon. */
class DockerBuildAcceptsContextTest {
    @TempDir
    Path tmp;

    private record Result(int exit, String output) {
    }

    private static Result run(File stdin, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            builder.redirectInput(stdin);
        }
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
    }

    private static boolean dockerReachable() {
        if (!Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return run(null, "docker", "image", "inspect", "portainer/busybox:latest").exit() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void dockerBuildsFromThePackedArchiveWithoutExcludedFiles() throws Exception {
        assumeTrue(dockerReachable(), "no Docker daemon with portainer/busybox:latest");
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.createDirectories(ctx.resolve("docker"));
        Files.writeString(ctx.resolve("docker/Dockerfile"), "FROM portainer/busybox:latest\nCOPY . /ctx/\n");
        Files.writeString(ctx.resolve(".dockerignore"), "secret.txt\nbuild\n!build/app.jar\n");
        Files.writeString(ctx.resolve("kept.txt"), "kept");
        Files.writeString(ctx.resolve("secret.txt"), "secret");
        Files.createDirectories(ctx.resolve("build/tmp"));
        Files.writeString(ctx.resolve("build/app.jar"), "jar");
        Files.writeString(ctx.resolve("build/tmp/junk"), "junk");
        Files.writeString(ctx.resolve("run.sh"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(ctx.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        PackedContext packed = new ContextPacker().pack(ctx, "docker/Dockerfile", tmp.resolve("ctx.tar.gz"));

        Result build = run(packed.archive().toFile(), "docker", "build", "-q", "-f", packed.dockerfile(), "-");
        assertEquals(0, build.exit(), build.output());
        String[] lines = build.output().split("\n");
        String imageId = lines[lines.length - 1].trim();
        try {
            Result ls = run(null, "docker", "run", "--rm", imageId, "sh", "-c",
                    "cd /ctx && find . | sort && /ctx/run.sh");
            assertEquals(0, ls.exit(), ls.output());
            List<String> found = new ArrayList<>(List.of(ls.output().split("\n")));
            assertTrue(found.contains("./kept.txt"), ls.output());
            assertTrue(found.contains("./build/app.jar"), ls.output());
            assertTrue(found.contains("ran"), "run.sh kept its executable bit: " + ls.output());
            assertTrue(found.stream().noneMatch(f -> f.contains("secret") || f.contains("junk")), ls.output());
        } finally {
            run(null, "docker", "rmi", "-f", imageId);
        }
    }

    @Test
    void dockerBuildsFromAPlainTarAndFromATarGzCompressedInBlocksOnSeveralThreads() throws Exception {
        assumeTrue(dockerReachable(), "no Docker daemon with portainer/busybox:latest");
        Path ctx = Files.createDirectories(tmp.resolve("big"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM portainer/busybox:latest\nCOPY . /ctx/\n");
        java.util.Random random = new java.util.Random(5);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            byte[] data = new byte[600_000];
            if (i % 2 == 0) {
                random.nextBytes(data);
            } else {
                byte[] text = ("text file " + i + " line\n").repeat(40_000).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(text, 0, data, 0, data.length);
            }
            Files.write(ctx.resolve("f" + i), data);
            expected.append(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(data))).append("  f").append(i).append('\n');
        }
        for (ContextFormat format : ContextFormat.values()) {
            PackedContext packed = ContextPacker.builder().format(format).threads(2).build()
                    .pack(ctx, null, tmp.resolve("big" + format.extension()));
            assertTrue(packed.uncompressedBytes() > 4 * BlockGzipOutputStream.BLOCK_SIZE, "several blocks");
            Result build = run(packed.archive().toFile(), "docker", "build", "-q", "-");
            assertEquals(0, build.exit(), format + ": " + build.output());
            String[] lines = build.output().split("\n");
            String imageId = lines[lines.length - 1].trim();
            try {
                Result sums = run(null, "docker", "run", "--rm", imageId, "sh", "-c", "cd /ctx && sha256sum f*");
                assertEquals(0, sums.exit(), sums.output());
                assertEquals(expected.toString().trim(), sums.output(), format + ": the daemon unpacked other bytes");
            } finally {
                run(null, "docker", "rmi", "-f", imageId);
            }
        }
    }
}
