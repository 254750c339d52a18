package dev.portainer.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a case's tree on disk: runs its script, binds its unix sockets, then gives every entry the script did not
 * date a distinct mtime in the past, so that an mtime the daemon sets while building (which is after the test
 * started) can be told from one that came from the context.
 */
final class ContextTree {
    /** Prepended to every case's script. */
    static final String PRELUDE = """
            set -euo pipefail
            base=%s
            # The Dockerfile most cases use: the whole context into the image, so that the export compares every file.
            copy_all() { printf 'FROM %%s\\nCOPY . /ctx/\\n' "$base" > "${1:-Dockerfile}"; }
            """.formatted(FidelityCases.BASE_IMAGE);

    /**
     * Dates what is still dated "now": $1..$2 is the window of the test run, $3 the first mtime to give. find's
     * output is NUL-separated so that any name (newlines, non-UTF-8 bytes) survives; touch -h dates symlinks
     * themselves, not their targets.
     */
    private static final String REDATE = """
            set -euo pipefail
            from=$1; to=$2; t=$3
            find . -printf '%Ts\\t%p\\0' | while IFS= read -r -d '' entry; do
              m=${entry%%$'\\t'*}; f=${entry#*$'\\t'}
              if [ "$m" -ge "$from" ] && [ "$m" -le "$to" ]; then touch -h -d "@$t" -- "$f"; t=$((t + 61)); fi
            done
            """;

    private ContextTree() {
    }

    /**
     * Creates {@code project/cases/<name>} for the case.
     *
     * @param started    when the test started: entries dated from then on are redated
     * @param firstMtime the first of the distinct past mtimes (seconds since the epoch) given to undated entries
     * @return the case's directory
     */
    static Path create(Path project, FidelityCase c, Instant started, long firstMtime)
            throws IOException, InterruptedException {
        Path cases = Files.createDirectories(project.resolve("cases"));
        Path dir = Files.createDirectory(cases.resolve(c.name()));
        Path script = cases.resolve(c.name() + ".sh");
        Files.writeString(script, PRELUDE + c.script(), StandardCharsets.UTF_8);
        bash(dir, List.of(script.toString()));
        for (String socket : c.sockets()) {
            // Binding creates the socket file; closing the channel leaves it there, with nobody listening.
            try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.bind(UnixDomainSocketAddress.of(dir.resolve(socket)));
            }
        }
        Path redate = cases.resolve(c.name() + ".redate.sh");
        Files.writeString(redate, REDATE, StandardCharsets.UTF_8);
        long until = Instant.now().getEpochSecond() + 60;
        bash(dir, List.of(redate.toString(), Long.toString(started.getEpochSecond()), Long.toString(until),
                Long.toString(firstMtime)));
        return dir;
    }

    private static void bash(Path dir, List<String> args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of("bash")))
                .directory(dir.toFile()).redirectErrorStream(true);
        builder.command().addAll(args);
        // Bytes in, bytes out: printf's escapes and the names do not depend on the caller's locale.
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("bash " + args + " in " + dir + " failed: " + output);
        }
    }
}
