package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packs trees with the real Docker CLI ({@code docker build} against {@link CapturingDockerDaemon}) and with
 * {@link ContextPacker}, and compares the two tar streams byte for byte: names as bytes, modes, times, links,
 * FIFOs, devices, long and odd names, .dockerignore, and how the Dockerfile is found. Runs under the JVM's own
 * locale and, in a second surefire execution, under {@code LC_ALL=C} (see the module's pom), where Java's view of
 * non-ASCII file names is lossy.
 */
class DockerCliContextTest {
    private static final Pattern VERSION = Pattern.compile("Docker version (\\d+)\\.");

    @TempDir
    Path tmp;
    private CapturingDockerDaemon daemon;

    @BeforeEach
    void startDaemon() throws IOException, InterruptedException {
        assumeTrue(cliMajorVersion() >= 24, "needs the Docker CLI 24 or later on the PATH (the context format"
                + " Portainer follows; older CLIs send file-type bits and owner names)");
        daemon = new CapturingDockerDaemon(tmp.resolve("docker.sock"));
    }

    @AfterEach
    void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void theCLocaleRunReallyHasAnAsciiFileNameEncoding() {
        // the surefire execution "context-under-c-locale" sets LC_ALL=C; it must reach the JVM to test anything
        if ("C".equals(System.getenv("LC_ALL"))) {
            assertTrue(!"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
                    System.getProperty("sun.jnu.encoding"));
        }
    }

    @Test
    void packsAnOrdinaryTreeExactlyAsTheCli() throws Exception {
        Path ctx = tree("ordinary", """
                printf 'FROM scratch\\nCOPY . /\\n' > Dockerfile
                mkdir -p src/main/java/app && echo 'class App {}' > src/main/java/app/App.java
                echo hi > README.md && chmod 644 README.md
                printf '#!/bin/sh\\necho run\\n' > run.sh && chmod 755 run.sh
                """);
        assertSameAsCli(ctx, null, ctx);
    }

    @Test
    void keepsModesTimesLinksFifosAndDevicesAsTheCli() throws Exception {
        Path ctx = tree("everything", """
                printf 'FROM scratch\\nCOPY . /\\n' > Dockerfile
                echo private > key.pem && chmod 600 key.pem
                for m in 400 640 666 700 711 750 755 555 4755 2755 1644 6711; do echo $m > mode-$m; chmod $m mode-$m; done
                for m in 555 700 1777 2775 711; do mkdir d$m; echo in > d$m/f; chmod $m d$m; done
                echo t > epoch && touch -d @0 epoch
                echo t > future && touch -d '2100-01-01 00:00:00 UTC' future
                echo t > before-1970 && touch -d '1960-06-01 12:00:00 UTC' before-1970
                echo t > beyond-2242 && touch -d '2300-01-01 00:00:00 UTC' beyond-2242
                echo t > subsecond && touch -d @1700000000.75 subsecond
                echo h > h1 && ln h1 h2 && mkdir hl && ln h1 hl/h3
                ln -s h1 sym && ln sym sym-hard
                mkfifo fifo && ln fifo fifo-hard
                mknod chardev c 1 3 2>/dev/null || true
                mknod blockdev b 7 200 2>/dev/null || true
                : > empty && mkdir empty-dir
                head -c 1048577 /dev/urandom > big
                ln -s ../outside rel-link && ln -s /etc/hostname abs-link && ln -s missing dangling && ln -s d700 dir-link
                ln -s "$(printf 'x%.0s' $(seq 150))" long-target
                touch -h -d '2001-02-03 04:05:06 UTC' sym dangling
                """);
        socket(ctx.resolve("a.sock"));
        assertSameAsCli(ctx, null, ctx);
    }

    @Test
    void sendsNamesAsTheirBytes() throws Exception {
        Path ctx = tree("names", """
                printf 'FROM scratch\\nCOPY . /\\n' > Dockerfile
                touch "$(printf 'caf\\351.txt')" 'é☺.txt' 'with space' 'q?mark' 'star*' 'br[ack' 'back\\slash' \\
                    "$(printf 'new\\nline')" ./-dash "$(printf '\\377\\376')"
                touch "$(printf 'n%.0s' $(seq 150))"
                touch "$(printf 'é%.0s' $(seq 60))"
                d=deep; for i in $(seq 30); do d=$d/directory$i; done; mkdir -p "$d" && echo deep > "$d/file"
                mkdir "$(printf 'dir\\351')" && echo x > "$(printf 'dir\\351')/inner" && ln -s "$(printf 'caf\\351.txt')" "$(printf 'link\\351')"
                ln -s "$(printf 'é%.0s' $(seq 60))" to-long-unicode
                """);
        assertSameAsCli(ctx, null, ctx);
    }

    @Test
    void readsDockerignoreAsBytes() throws Exception {
        Path ctx = tree("ignore", """
                printf 'FROM scratch\\nCOPY . /\\n' > Dockerfile
                touch "$(printf 'caf\\351.txt')" "$(printf 'caf\\351.md')" keep.txt a.tmp
                mkdir -p ignored/sub build && echo k > ignored/keep && echo d > ignored/drop && echo b > build/x
                echo x > ex1 && ln ex1 zz-ex2
                printf '# bytes, not UTF-8\\ncaf\\351.txt\\n**/*.tmp\\nignored\\n!ignored/keep\\nbuild/\\nex1\\n' > .dockerignore
                """);
        assertSameAsCli(ctx, null, ctx);
    }

    @Test
    void keepsDockerignoreAndDockerfileThatExcludeThemselves() throws Exception {
        Path ctx = tree("self-excluding", """
                printf 'FROM scratch\\nCOPY . /\\n' > Dockerfile && echo a > a
                printf '.dockerignore\\nDockerfile\\n' > .dockerignore
                """);
        assertSameAsCli(ctx, null, ctx);
    }

    @Test
    void findsALowerCaseDockerfileAsTheCli() throws Exception {
        Path ctx = tree("lower", "printf 'FROM scratch\\n' > dockerfile && echo a > a\n");
        PackedContext packed = assertSameAsCli(ctx, null, ctx);
        assertEquals("dockerfile", packed.dockerfile());
        assertTrue(daemon.lastQuery().contains("dockerfile=dockerfile"), daemon.lastQuery());
    }

    @Test
    void followsADockerfileLinkIntoAnIgnoredFolder() throws Exception {
        Path ctx = tree("linked", """
                mkdir -p docker/ignored && printf 'FROM scratch\\nCOPY . /\\n' > docker/ignored/real
                ln -s docker/ignored/real Dockerfile && echo a > a
                printf 'docker/ignored\\n' > .dockerignore
                """);
        PackedContext packed = assertSameAsCli(ctx, null, ctx);
        assertEquals("docker/ignored/real", packed.dockerfile());
        assertTrue(daemon.lastQuery().contains("dockerfile=docker%2Fignored%2Freal"), daemon.lastQuery());
    }

    @Test
    void addsADockerfileFromOutsideTheContextAsTheCli() throws Exception {
        Path project = tree("outside", """
                mkdir -p ctx docker && echo a > ctx/a && printf 'FROM scratch\\nCOPY . /\\n' > docker/Dockerfile
                """);
        List<Entry> cli = entries(cliContext(project.resolve("ctx"), "docker/Dockerfile", project));
        String cliName = addedName(cli);
        PackedContext packed = packer(Instant.now()).pack(DockerfileLocation.find(project.resolve("ctx"), project,
                "docker/Dockerfile"), tmp.resolve("outside.tar.gz"), List.of(), DockerfileTransform.NONE);
        List<Entry> ours = entries(gunzip(packed.archive()));
        assertEquals(cliName.length(), packed.dockerfile().length());
        assertTrue(packed.dockerfile().matches("\\.dockerfile\\.[0-9a-f]{20}"), packed.dockerfile());
        assertTrue(daemon.lastQuery().contains("dockerfile=" + cliName), daemon.lastQuery());
        assertEquals(describe(normalized(cli, cliName)), describe(normalized(ours, packed.dockerfile())));
    }

    @Test
    void appendsTheAddedDockerfileToAnExistingDockerignore() throws Exception {
        Path project = tree("outside-ignore", """
                mkdir -p ctx docker && echo a > ctx/a && printf 'FROM scratch\\n' > docker/Dockerfile
                printf 'b\\n' > ctx/.dockerignore && echo b > ctx/b
                """);
        List<Entry> cli = entries(cliContext(project.resolve("ctx"), "docker/Dockerfile", project));
        String cliName = addedName(cli);
        PackedContext packed = packer(Instant.now()).pack(DockerfileLocation.find(project.resolve("ctx"), project,
                "docker/Dockerfile"), tmp.resolve("outside.tar.gz"), List.of(), DockerfileTransform.NONE);
        List<Entry> ours = entries(gunzip(packed.archive()));
        assertEquals(describe(normalized(cli, cliName)), describe(normalized(ours, packed.dockerfile())));
    }

    private PackedContext assertSameAsCli(Path ctx, String dockerfile, Path workingDirectory) throws Exception {
        byte[] cli = cliContext(ctx, dockerfile, workingDirectory);
        PackedContext packed = packer(null).pack(DockerfileLocation.find(ctx, workingDirectory, dockerfile),
                tmp.resolve(ctx.getFileName() + ".tar.gz"), List.of(), DockerfileTransform.NONE);
        byte[] ours = gunzip(packed.archive());
        if (!java.util.Arrays.equals(cli, ours)) {
            assertEquals(describe(entries(cli)), describe(entries(ours)), "entries differ (Docker CLI vs Portainer)");
            assertEquals(HexFormat.of().formatHex(cli), HexFormat.of().formatHex(ours), "bytes differ");
        }
        assertTrue(daemon.lastQuery().contains("dockerfile=" + java.net.URLEncoder.encode(packed.dockerfile(),
                StandardCharsets.UTF_8)), daemon.lastQuery() + " vs " + packed.dockerfile());
        return packed;
    }

    private ContextPacker packer(Instant now) {
        ContextPacker.Builder builder = ContextPacker.builder();
        if (now != null) {
            builder.clock(Clock.fixed(now, ZoneOffset.UTC));
        }
        return builder.build();
    }

    private Path tree(String name, String script) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Process p = new ProcessBuilder("bash", "-euc", script).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "generating " + name + ": " + out);
        return dir;
    }

    private static void socket(Path path) throws IOException {
        // binding creates the socket file; closing the channel leaves it there, as a crashed server would
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path)).close();
    }

    private byte[] cliContext(Path ctx, String dockerfile, Path workingDirectory)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "build"));
        if (dockerfile != null) {
            command.addAll(List.of("-f", dockerfile));
        }
        command.add(ctx.toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("DOCKER_HOST", daemon.dockerHost());
        env.put("DOCKER_BUILDKIT", "0");
        env.put("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker build did not finish");
        byte[] context = daemon.lastContext();
        assertTrue(context != null && out.contains("captured"), "the CLI sent no context: " + out);
        return context;
    }

    private static int cliMajorVersion() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("docker", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = VERSION.matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static byte[] gunzip(Path archive) throws IOException {
        try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(archive))) {
            return in.readAllBytes();
        }
    }

    /** One tar entry: its header block, and its content or PAX records. */
    record Entry(byte[] header, byte[] data) {
        String name() {
            return field(0, 100);
        }

        byte type() {
            return header[156];
        }

        String field(int offset, int length) {
            int end = offset;
            while (end < offset + length && header[end] != 0) {
                end++;
            }
            return new String(header, offset, end - offset, StandardCharsets.ISO_8859_1);
        }

        String describe() {
            String data = type() == 'x' || type() == '0' && this.data.length < 200
                    ? GoString.runes(new String(this.data, StandardCharsets.ISO_8859_1)).replace("\n", "\\n")
                    : this.data.length + " bytes";
            return String.format("%s type=%c mode=%s uid=%s gid=%s size=%s mtime=%s link=%s user=%s group=%s"
                            + " dev=%s,%s prefix=%s sum=%s | %s", esc(name()), (char) type(), field(100, 8),
                    field(108, 8), field(116, 8), field(124, 12), field(136, 12), esc(field(157, 100)),
                    field(265, 32), field(297, 32), field(329, 8), field(337, 8), esc(field(345, 155)),
                    field(148, 8).trim(), data);
        }

        private static String esc(String s) {
            StringBuilder out = new StringBuilder();
            for (char c : s.toCharArray()) {
                out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
            }
            return out.toString();
        }
    }

    static List<Entry> entries(byte[] tar) {
        List<Entry> list = new ArrayList<>();
        int at = 0;
        while (at + 512 <= tar.length) {
            byte[] header = java.util.Arrays.copyOfRange(tar, at, at + 512);
            at += 512;
            if (java.util.Arrays.equals(header, new byte[512])) {
                list.add(new Entry(header, new byte[0]));
                continue;
            }
            String sizeField = new String(header, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim();
            long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
            byte type = header[156];
            if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                size = 0;
            }
            list.add(new Entry(header, java.util.Arrays.copyOfRange(tar, at, (int) (at + size))));
            at += (int) ((size + 511) / 512 * 512);
        }
        return list;
    }

    private static String describe(List<Entry> entries) {
        StringBuilder out = new StringBuilder();
        entries.forEach(e -> out.append(e.describe()).append('\n'));
        return out.toString();
    }

    private static String addedName(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.name().startsWith(".dockerfile.")) {
                return e.name();
            }
        }
        throw new AssertionError("the CLI added no Dockerfile: " + describe(entries));
    }

    // The CLI's random name and "now" differ from ours by nature, and the two entries it appends come in Go's
    // random map order: everything else must be equal byte for byte, those two by what they must be.
    private static List<Entry> normalized(List<Entry> entries, String addedName) {
        String placeholder = ".dockerfile.NAME";
        List<Entry> kept = new ArrayList<>();
        List<Entry> appended = new ArrayList<>();
        for (Entry e : entries) {
            String text = new String(e.data(), StandardCharsets.ISO_8859_1).replace(addedName, placeholder);
            boolean added = e.name().equals(addedName);
            boolean addedIgnore = e.name().equals(".dockerignore") && e.field(100, 8).equals("0000600")
                    && text.equals(".dockerignore\n" + placeholder + "\n");
            byte[] header = e.header().clone();
            if (added || addedIgnore) {
                java.util.Arrays.fill(header, 0, 100, (byte) 0);
                byte[] name = (added ? placeholder : ".dockerignore").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(name, 0, header, 0, name.length);
                java.util.Arrays.fill(header, 136, 156, (byte) ' '); // "now", and the checksum over it
            }
            (added || addedIgnore ? appended : kept).add(new Entry(header, text.getBytes(StandardCharsets.ISO_8859_1)));
        }
        appended.sort(java.util.Comparator.comparing(Entry::name));
        kept.addAll(appended);
        return kept;
    }
}
