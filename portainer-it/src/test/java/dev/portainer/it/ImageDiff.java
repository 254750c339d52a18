package dev.portainer.it;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What differs between the image {@code docker build} made and the one {@code portainer:build} made, for people. */
final class ImageDiff {
    /**
     * The line the CLI appends to the context's .dockerignore when the Dockerfile is outside the context: the
     * random name it gives the Dockerfile in the archive ({@code .dockerfile.} and 20 hex digits).
     */
    private static final Pattern CLI_IGNORE_LINE = Pattern.compile("(?s)(.*)\n\\.dockerfile\\.[0-9a-f]{20}\n");
    private static final Pattern CONTEXT_HASH = Pattern.compile("\\b(file|dir):[0-9a-f]{64}\\b");

    /**
     * The seconds during which the daemon itself may have dated files (a directory COPY created, a RUN's output,
     * the container's /etc/hosts): from the test's start to some time after the comparison. An mtime in that window
     * on both sides is the daemon's, not the context's, and may differ. A context's "future" mtime (2100) is far
     * beyond it, so it is still compared.
     */
    record BuildTimes(long from, long to) {
        boolean contain(long mtime) {
            return mtime >= from && mtime <= to;
        }
    }

    private ImageDiff() {
    }

    /**
     * Every difference, one line each; empty when the images are the same.
     *
     * @param cliRewritesIgnore the CLI appended a random line to the context's .dockerignore (see
     *                          {@link FidelityCase#cliRewritesIgnore()}): that line is left out of both sides'
     *                          .dockerignore, and the COPY hashes in the history (which cover that file) are not
     *                          compared, since two docker builds of the tree differ there too
     */
    static List<String> compare(ImageSnapshot docker, ImageSnapshot portainer, BuildTimes buildTimes,
                                boolean cliRewritesIgnore) {
        List<String> differences = new ArrayList<>();
        if (!docker.config().equals(portainer.config())) {
            differences.add("Config: docker " + docker.config() + "\n           portainer " + portainer.config());
        }
        Function<String, String> history = cliRewritesIgnore
                ? line -> CONTEXT_HASH.matcher(line).replaceAll("$1:<hash of the CLI's random .dockerignore line>")
                : Function.identity();
        int layers = Math.max(docker.history().size(), portainer.history().size());
        for (int i = 0; i < layers; i++) {
            String d = i < docker.history().size() ? history.apply(docker.history().get(i)) : "(none)";
            String p = i < portainer.history().size() ? history.apply(portainer.history().get(i)) : "(none)";
            if (!d.equals(p)) {
                differences.add("history, layer " + (i + 1) + " from the top: docker " + d + "\n           portainer "
                        + p);
            }
        }
        TreeSet<String> names = new TreeSet<>(docker.files().keySet());
        names.addAll(portainer.files().keySet());
        for (String name : names) {
            TarListing.Entry d = docker.files().get(name);
            TarListing.Entry p = portainer.files().get(name);
            if (cliRewritesIgnore) {
                d = withoutCliIgnoreLine(d);
                p = withoutCliIgnoreLine(p);
            }
            if (p == null) {
                differences.add("/" + TarListing.show(name) + ": only in docker's image (" + describe(d) + ")");
            } else if (d == null) {
                differences.add("/" + TarListing.show(name) + ": only in portainer's image (" + describe(p) + ")");
            } else {
                compareEntries(d, p, buildTimes, differences);
            }
        }
        return differences;
    }

    private static void compareEntries(TarListing.Entry d, TarListing.Entry p, BuildTimes buildTimes,
                                       List<String> differences) {
        String at = "/" + d.shownName() + ": ";
        field(at, "type", type(d.type()), type(p.type()), differences);
        field(at, "mode", mode(d.mode()), mode(p.mode()), differences);
        field(at, "uid", d.uid(), p.uid(), differences);
        field(at, "gid", d.gid(), p.gid(), differences);
        field(at, "size", d.size(), p.size(), differences);
        field(at, "sha256", d.sha256(), p.sha256(), differences);
        field(at, "link target", TarListing.show(d.link()), TarListing.show(p.link()), differences);
        if (!(buildTimes.contain(d.mtime()) && buildTimes.contain(p.mtime()))) {
            field(at, "mtime", mtime(d.mtime()), mtime(p.mtime()), differences);
        }
    }

    private static void field(String at, String field, Object docker, Object portainer, List<String> differences) {
        if (!Objects.equals(docker, portainer)) {
            differences.add(at + field + " docker " + docker + ", portainer " + portainer);
        }
    }

    private static TarListing.Entry withoutCliIgnoreLine(TarListing.Entry entry) {
        if (entry == null || entry.text() == null || !entry.name().endsWith(".dockerignore")) {
            return entry;
        }
        Matcher m = CLI_IGNORE_LINE.matcher(entry.text());
        if (!m.matches()) {
            return entry;
        }
        byte[] kept = m.group(1).getBytes(StandardCharsets.ISO_8859_1);
        return new TarListing.Entry(entry.name(), entry.type(), entry.mode(), entry.uid(), entry.gid(), kept.length,
                TarListing.sha256(kept), entry.link(), entry.mtime(), m.group(1));
    }

    static String describe(TarListing.Entry e) {
        return type(e.type()) + " " + mode(e.mode()) + " " + e.uid() + ":" + e.gid() + " " + e.size() + " bytes"
                + (e.sha256().isEmpty() ? "" : " sha256 " + e.sha256().substring(0, 12))
                + (e.link().isEmpty() ? "" : " -> " + TarListing.show(e.link())) + " mtime " + mtime(e.mtime());
    }

    private static String type(char type) {
        return switch (type) {
            case '0', '7' -> "file";
            case '1' -> "hard link";
            case '2' -> "symlink";
            case '3' -> "char device";
            case '4' -> "block device";
            case '5' -> "directory";
            case '6' -> "fifo";
            default -> "type '" + type + "'";
        };
    }

    private static String mode(int mode) {
        return String.format(Locale.ROOT, "%04o", mode);
    }

    private static String mtime(long seconds) {
        return seconds + " (" + Instant.ofEpochSecond(seconds) + ")";
    }
}
