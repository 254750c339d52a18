package dev.portainer.core.context;

import dev.portainer.core.config.Setting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextPackerTest {
    @TempDir
    Path tmp;

    private Path context() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        write(ctx, "Dockerfile", "FROM portainer/busybox:latest\n");
        write(ctx, "app/main.sh", "#!/bin/sh\necho hi\n");
        write(ctx, "app/lib/util.txt", "util");
        write(ctx, "a.txt", "a");
        write(ctx, "b.txt", "b");
        return ctx;
    }

    private static void write(Path ctx, String rel, String content) throws IOException {
        Path file = ctx.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Entry name → content (directories and links map to "" / "-> target"), in archive order. */
    private static Map<String, String> read(Path archive) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        for (TarArchiveEntry e : entries(archive)) {
            entries.put(e.getName(), e.isSymbolicLink() ? "-> " + e.getLinkName() : "");
        }
        try (TarArchiveInputStream tar = open(archive)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                // commons-compress calls links "files" too
                if (e.isFile() && !e.isSymbolicLink()) {
                    entries.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return entries;
    }

    private static List<TarArchiveEntry> entries(Path archive) throws IOException {
        List<TarArchiveEntry> list = new ArrayList<>();
        try (TarArchiveInputStream tar = open(archive)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                list.add(e);
            }
        }
        return list;
    }

    private static TarArchiveInputStream open(Path archive) throws IOException {
        return new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(archive)));
    }

    @Test
    void packsTreeDepthFirstWithNamesInByteOrderLikeDocker() throws Exception {
        Path ctx = context();
        PackedContext packed = new ContextPacker().pack(ctx, null, tmp.resolve("out/ctx.tar.gz"));
        assertEquals(List.of("Dockerfile", "a.txt", "app/", "app/lib/", "app/lib/util.txt", "app/main.sh", "b.txt"),
                List.copyOf(read(packed.archive()).keySet()));
        assertEquals("util", read(packed.archive()).get("app/lib/util.txt"));
        assertEquals(7, packed.entryCount());
        assertEquals("Dockerfile", packed.dockerfile());
    }

    @Test
    void reportsHashAndSizesOfTheWrittenArchive() throws Exception {
        PackedContext packed = new ContextPacker().pack(context(), null, tmp.resolve("ctx.tar.gz"));
        byte[] bytes = Files.readAllBytes(packed.archive());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), packed.sha256());
        assertEquals(bytes.length, packed.compressedSize());
        assertEquals(0, packed.uncompressedBytes() % 512);
        try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(packed.archive()))) {
            assertEquals(packed.uncompressedBytes(), in.transferTo(OutputStream.nullOutputStream()));
        }
        assertFalse(Files.exists(tmp.resolve("ctx.tar.gz.part")), "no partial file left behind");
    }

    @Test
    void reproduciblePackingGivesSameBytesWhateverTheTimestamps() throws Exception {
        Path ctx = context();
        ContextPacker reproducible = ContextPacker.builder().reproducible().build();
        PackedContext first = reproducible.pack(ctx, null, tmp.resolve("1.tar.gz"));
        touchAll(ctx, 1_700_000_000_000L);
        PackedContext second = reproducible.pack(ctx, null, tmp.resolve("2.tar.gz"));
        assertEquals(first.sha256(), second.sha256());
        assertArrayEquals(Files.readAllBytes(first.archive()), Files.readAllBytes(second.archive()));
        for (TarArchiveEntry e : entries(second.archive())) {
            assertEquals(1000, e.getModTime().getTime(), e.getName());
        }
    }

    @Test
    void sendsEachFilesOwnTimeAsTheDockerCliDoes() throws Exception {
        Path ctx = context();
        touchAll(ctx, 1_700_000_000_999L);
        Files.setLastModifiedTime(ctx.resolve("a.txt"), FileTime.fromMillis(4_102_444_800_000L)); // 2100
        Files.setLastModifiedTime(ctx.resolve("b.txt"), FileTime.fromMillis(0));
        PackedContext first = new ContextPacker().pack(ctx, null, tmp.resolve("1.tar.gz"));
        Map<String, TarArchiveEntry> byName = new LinkedHashMap<>();
        entries(first.archive()).forEach(e -> byName.put(e.getName(), e));
        assertEquals(1_700_000_000_000L, byName.get("app/lib/").getModTime().getTime(), "whole seconds, rounded down");
        assertEquals(4_102_444_800_000L, byName.get("a.txt").getModTime().getTime());
        assertEquals(0, byName.get("b.txt").getModTime().getTime());
        touchAll(ctx, 1_600_000_000_000L);
        assertFalse(first.sha256().equals(new ContextPacker().pack(ctx, null, tmp.resolve("2.tar.gz")).sha256()),
                "another time is another context");
    }

    private static void touchAll(Path ctx, long millis) throws IOException {
        try (var files = Files.walk(ctx)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(millis));
            }
        }
    }

    @Test
    void differentContentGivesDifferentHash() throws Exception {
        Path ctx = context();
        PackedContext first = new ContextPacker().pack(ctx, null, tmp.resolve("1.tar.gz"));
        write(ctx, "a.txt", "A");
        assertFalse(first.sha256().equals(new ContextPacker().pack(ctx, null, tmp.resolve("2.tar.gz")).sha256()));
    }

    @Test
    void keepsPermissionBitsAndMakesOwnersRootWithoutNames() throws Exception {
        Path ctx = context();
        Files.setPosixFilePermissions(ctx.resolve("app/main.sh"), PosixFilePermissions.fromString("rwxr-----"));
        Files.setPosixFilePermissions(ctx.resolve("a.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(ctx.resolve("app/lib"), PosixFilePermissions.fromString("rwx------"));
        PackedContext packed = new ContextPacker().pack(ctx, null, tmp.resolve("ctx.tar.gz"));
        Map<String, TarArchiveEntry> byName = new LinkedHashMap<>();
        entries(packed.archive()).forEach(e -> byName.put(e.getName(), e));
        assertEquals(0740, byName.get("app/main.sh").getMode());
        assertEquals(0600, byName.get("a.txt").getMode(), "a private file stays private");
        assertEquals(0700, byName.get("app/lib/").getMode(), "permission bits only, no file-type bits");
        for (TarArchiveEntry e : byName.values()) {
            assertEquals(0, e.getLongUserId(), e.getName());
            assertEquals(0, e.getLongGroupId(), e.getName());
            assertEquals("", e.getUserName(), e.getName());
            assertEquals("", e.getGroupName(), e.getName());
        }
    }

    @Test
    void keepsSymbolicLinksAsLinks() throws Exception {
        Path ctx = context();
        Files.createSymbolicLink(ctx.resolve("link"), Path.of("app/main.sh"));
        Files.createSymbolicLink(ctx.resolve("dangling"), Path.of("/nowhere"));
        Map<String, String> entries = read(new ContextPacker().pack(ctx, null, tmp.resolve("c.tar.gz")).archive());
        assertEquals("-> app/main.sh", entries.get("link"));
        assertEquals("-> /nowhere", entries.get("dangling"));
    }

    @Test
    void keepsFifosAndHardLinksButSkipsSocketsTellingTheListener() throws Exception {
        Path ctx = context();
        Process mkfifo = new ProcessBuilder("mkfifo", ctx.resolve("pipe").toString()).start();
        assumeFalse(mkfifo.waitFor() != 0, "mkfifo unavailable");
        Files.createLink(ctx.resolve("z-link"), ctx.resolve("a.txt"));
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
                .bind(java.net.UnixDomainSocketAddress.of(ctx.resolve("daemon.sock"))).close();
        List<String> skipped = new ArrayList<>();
        ContextPacker packer = new ContextPacker(1, new ContextPackListener() {
            @Override
            public void skipped(String path, String reason) {
                skipped.add(path + ": " + reason);
            }
        });
        Map<String, TarArchiveEntry> byName = new LinkedHashMap<>();
        entries(packer.pack(ctx, null, tmp.resolve("c.tar.gz")).archive()).forEach(e -> byName.put(e.getName(), e));
        assertTrue(byName.get("pipe").isFIFO());
        assertTrue(byName.get("z-link").isLink());
        assertEquals("a.txt", byName.get("z-link").getLinkName());
        assertFalse(byName.containsKey("daemon.sock"));
        assertEquals(List.of("daemon.sock: it is a socket, which docker build leaves out too"), skipped);
    }

    @Test
    void appliesDockerignoreKeepingNegatedFileInsideExcludedDirectory() throws Exception {
        Path ctx = context();
        write(ctx, ".dockerignore", "# build output\ntarget\n!target/app.jar\n*.txt\n!b.txt\n");
        write(ctx, "target/app.jar", "jar");
        write(ctx, "target/classes/A.class", "class");
        Map<String, String> entries = read(new ContextPacker().pack(ctx, null, tmp.resolve("c.tar.gz")).archive());
        // Docker walks into target/ for the exception but writes no entry for target/ itself;
        // "*.txt" does not cross '/', so app/lib/util.txt stays
        assertEquals(List.of(".dockerignore", "Dockerfile", "app/", "app/lib/", "app/lib/util.txt", "app/main.sh",
                "b.txt", "target/app.jar"), List.copyOf(entries.keySet()));
    }

    @Test
    void keepsDockerfileAndDockerignoreEvenWhenAPatternExcludesThem() throws Exception {
        Path ctx = context();
        write(ctx, ".dockerignore", "*\n");
        write(ctx, "docker/Dockerfile", "FROM portainer/busybox:latest\n");
        PackedContext packed = new ContextPacker().pack(ctx, "docker/Dockerfile", tmp.resolve("c.tar.gz"));
        assertEquals(List.of(".dockerignore", "docker/Dockerfile"), List.copyOf(read(packed.archive()).keySet()));
        assertEquals("docker/Dockerfile", packed.dockerfile());
    }

    @Test
    void leavesOutTheArchiveWhenWrittenInsideTheContext() throws Exception {
        Path ctx = context();
        PackedContext packed = new ContextPacker().pack(ctx, null, ctx.resolve("target/ctx.tar.gz"));
        assertFalse(read(packed.archive()).keySet().stream().anyMatch(n -> n.startsWith("target/ctx.tar.gz")));
        assertEquals(packed.sha256(), new ContextPacker().pack(ctx, null, ctx.resolve("target/ctx.tar.gz")).sha256());
    }

    @Test
    void leavesOutPortainersOwnWorkDirectoryButKeepsTheRestOfTarget() throws Exception {
        Path ctx = context();
        write(ctx, "target/app.jar", "the user's jar");
        write(ctx, "target/portainer/portainer-executor.jar", "ours");
        write(ctx, "target/portainer/app.digest", "sha256:changes-every-build");
        Path work = ctx.resolve("target/portainer");

        PackedContext packed = new ContextPacker().pack(ctx, null, work.resolve("ctx.tar.gz"), List.of(work));

        Map<String, String> files = read(packed.archive());
        assertEquals("the user's jar", files.get("target/app.jar"));
        assertFalse(files.keySet().stream().anyMatch(n -> n.startsWith("target/portainer")), files.keySet().toString());
        write(ctx, "target/portainer/app.digest", "sha256:another");
        assertEquals(packed.sha256(), new ContextPacker().pack(ctx, null, work.resolve("ctx.tar.gz"), List.of(work))
                .sha256(), "our own files never change the context");
    }

    @Test
    void storesLongAndNonAsciiNames() throws Exception {
        Path ctx = context();
        String longName = "d/" + "x".repeat(150) + "/" + "y".repeat(120) + ".txt";
        write(ctx, longName, "long");
        // made by the shell from bytes: under LC_ALL=C (the second surefire run) Java cannot name it
        Process p = new ProcessBuilder("bash", "-c", "printf unicode > \"$(printf '\\303\\251\\342\\230\\272.txt')\""
                + " && printf latin > \"$(printf 'caf\\351')\"").directory(ctx.toFile()).start();
        assertEquals(0, p.waitFor());
        Map<String, String> entries = read(new ContextPacker().pack(ctx, null, tmp.resolve("c.tar.gz")).archive());
        assertEquals("long", entries.get(longName));
        assertEquals("unicode", entries.get("é☺.txt"), entries.keySet().toString());
        assertTrue(entries.containsValue("latin"), "a name that is not UTF-8 is packed too: " + entries.keySet());
    }

    @Test
    void streamsALargeFile() throws Exception {
        Path ctx = context();
        Path big = ctx.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 50; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
                expected.update(chunk);
            }
        }
        PackedContext packed = new ContextPacker().pack(ctx, null, tmp.resolve("c.tar.gz"));
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        try (TarArchiveInputStream tar = open(packed.archive())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals("big.bin")) {
                    assertEquals(50L << 20, e.getSize());
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = tar.read(buf)) > 0) {
                        actual.update(buf, 0, n);
                    }
                }
            }
        }
        assertArrayEquals(expected.digest(), actual.digest());
    }

    @Test
    void refusesMissingDockerfileSayingWhatToDo() throws Exception {
        Path ctx = context();
        ContextException e = assertThrows(ContextException.class,
                () -> new ContextPacker().pack(ctx, "src/docker/Dockerfile", tmp.resolve("c.tar.gz")));
        assertEquals("The Dockerfile src/docker/Dockerfile does not exist in the build context " + ctx.toRealPath()
                + ": set dockerfile to its path, relative to the context or to the project directory",
                e.getMessage());
        assertEquals(List.of(Setting.DOCKERFILE), e.explanation().settings());
        assertFalse(Files.exists(tmp.resolve("c.tar.gz")));
    }

    @Test
    void addsADockerfileFromOutsideTheContextUnderARandomNameAsTheCli() throws Exception {
        Path ctx = context();
        write(tmp, "Dockerfile", "FROM scratch\n");
        PackedContext packed = new ContextPacker().pack(ctx, "../Dockerfile", tmp.resolve("c.tar.gz"));
        Map<String, String> entries = read(packed.archive());
        assertTrue(packed.dockerfile().matches("\\.dockerfile\\.[0-9a-f]{20}"), packed.dockerfile());
        assertEquals("FROM scratch\n", entries.get(packed.dockerfile()));
        assertEquals(".dockerignore\n" + packed.dockerfile() + "\n", entries.get(".dockerignore"),
                "the daemon leaves both out of what COPY sees");
        PackedContext absolute = new ContextPacker().pack(ctx, tmp.resolve("Dockerfile").toString(),
                tmp.resolve("d.tar.gz"));
        assertFalse(absolute.dockerfile().equals(packed.dockerfile()), "random, as the CLI's");
        PackedContext reproducible = ContextPacker.builder().reproducible().build().pack(ctx, "../Dockerfile",
                tmp.resolve("e.tar.gz"));
        assertEquals(reproducible.sha256(), ContextPacker.builder().reproducible().build().pack(ctx,
                "../Dockerfile", tmp.resolve("f.tar.gz")).sha256(), "reproducible: named by its content");
    }

    @Test
    void refusesDockerfileThatIsADirectory() throws Exception {
        Path ctx = context();
        ContextException e = assertThrows(ContextException.class,
                () -> new ContextPacker().pack(ctx, "app", tmp.resolve("c.tar.gz")));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void refusesMissingContextDirectory() {
        ContextException e = assertThrows(ContextException.class,
                () -> new ContextPacker().pack(tmp.resolve("nope"), null, tmp.resolve("c.tar.gz")));
        assertTrue(e.getMessage().contains("does not exist: create it or set contextDirectory"), e.getMessage());
        assertEquals(List.of(Setting.CONTEXT_DIRECTORY), e.explanation().settings());
    }

    @Test
    void reportsInvalidDockerignoreLineBeforeWritingAnything() throws Exception {
        Path ctx = context();
        write(ctx, ".dockerignore", "ok\n[oops\n");
        DockerIgnoreException e = assertThrows(DockerIgnoreException.class,
                () -> new ContextPacker().pack(ctx, null, tmp.resolve("c.tar.gz")));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains(ctx.resolve(".dockerignore").toString()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("c.tar.gz")));
    }

    @Test
    void namesAnUnreadableFileAndLeavesNoArchive() throws Exception {
        Path ctx = context();
        Path secret = ctx.resolve("secret.txt");
        Files.writeString(secret, "x");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(secret), "running as root: every file is readable");
        ContextException e = assertThrows(ContextException.class,
                () -> new ContextPacker().pack(ctx, null, tmp.resolve("c.tar.gz")));
        assertTrue(e.getMessage().contains(secret.toString()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("c.tar.gz.part")));
    }
}
