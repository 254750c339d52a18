package dev.portainer.local.agent;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.mesos.v1.Protos.CommandInfo;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Mesos fetcher's rules for CommandInfo.uris: local paths and file:// are copied (hard-linked when possible), http(s):// downloaded, any
 * other scheme handed to {@code hadoop fs -copyToLocal}; then output_file, executable and extract are honoured. A URI
 * whose {@code cache} is true goes through the agent's {@link FetcherCache}.
 * Progress and errors go to the sandbox's stderr, as the Mesos fetcher writes them there.
 */
final class Fetcher {
    private static final List<String> ARCHIVES =
            List.of(".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip");

    private final Supplier<HttpClient> http;
    private final Map<String, String> environment;
    private final FetcherCache cache;
    private HttpClient client;

    Fetcher(HttpClient http, Map<String, String> environment) {
        this(() -> http, environment, null);
    }

    /**
     * @param http  makes the client for http(s) URIs, the first time one is fetched (never, for local files)
     * @param cache the agent's fetcher cache, for the URIs whose {@code cache} is true; null: every URI is fetched
     *              directly into the sandbox
     */
    Fetcher(Supplier<HttpClient> http, Map<String, String> environment, FetcherCache cache) {
        this.http = http;
        this.environment = environment;
        this.cache = cache;
    }

    private synchronized HttpClient http() {
        if (client == null) {
            client = http.get();
        }
        return client;
    }

    /** Raised when one URI cannot be fetched; the message names the URI and the cause. */
    static final class FetchException extends Exception {
        FetchException(String message) {
            super(message);
        }
    }

    void fetchAll(List<CommandInfo.URI> uris, Path sandbox, PrintStream log) throws FetchException {
        fetchAll(uris, sandbox, log, null);
    }

    /** @param user whom the cached files are kept for (the command's user, else the framework's) */
    void fetchAll(List<CommandInfo.URI> uris, Path sandbox, PrintStream log, String user) throws FetchException {
        for (CommandInfo.URI uri : uris) {
            try {
                if (uri.getCache() && cache != null && user != null) {
                    fetchThroughCache(uri, sandbox, log, user);
                } else {
                    fetch(uri, sandbox, log);
                }
            } catch (IOException | RuntimeException e) {
                String message = "Failed to fetch '" + uri.getValue() + "': " + e.getMessage();
                // the mesos-fetcher's last words, as its glog EXIT writes them to the sandbox's stderr
                log.println(glogError("fetcher.cpp:615", "EXIT with status 1: " + message));
                throw new FetchException(message);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FetchException("Failed to fetch '" + uri.getValue() + "': interrupted");
            }
        }
    }

    /**
     * As the agent fetches a URI whose {@code cache} is true: the first fetch for this user downloads it into the cache,
     * every fetch copies it from there (or extracts it, or copies it executable).
     */
    private void fetchThroughCache(CommandInfo.URI uri, Path sandbox, PrintStream log, String user)
            throws IOException, InterruptedException {
        String value = uri.getValue().trim();
        log.println("Fetching URI '" + value + "'");
        Path destination = destination(uri, value, sandbox);
        FetcherCache.Claim claim = cache.claim(user, value);
        FetcherCache.Entry entry = claim.entry();
        try {
            if (claim.download()) {
                try {
                    retrieve(value, entry.file, false, log);
                    cache.downloaded(entry);
                } catch (IOException | RuntimeException | InterruptedException e) {
                    cache.failed(entry, e);
                    throw e;
                }
            } else {
                entry.await();
            }
            log.println("Fetching URI '" + value + "' from cache");
            if (!uri.getExecutable() && (!uri.hasExtract() || uri.getExtract()) && isArchive(entry.file)) {
                extract(entry.file, sandbox);
                log.println("Extracted '" + entry.file + "' into '" + sandbox + "'");
            } else {
                copyLocal(entry.file, destination, false, log); // a copy: the cache's file is the cache's
                if (uri.getExecutable()) {
                    makeExecutable(destination);
                }
            }
        } finally {
            cache.release(entry);
        }
        log.println("Fetched '" + value + "' to '" + destination + "'");
    }

    private void fetch(CommandInfo.URI uri, Path sandbox, PrintStream log) throws IOException, InterruptedException {
        String value = uri.getValue().trim();
        log.println("Fetching URI '" + value + "'");
        Path destination = destination(uri, value, sandbox);
        log.println("Fetching '" + value + "' directly into the sandbox directory");
        retrieve(value, destination, !uri.getExecutable(), log);
        if (uri.getExecutable()) {
            makeExecutable(destination);
        } else if ((!uri.hasExtract() || uri.getExtract()) && isArchive(destination)) {
            extract(destination, sandbox);
            log.println("Extracted '" + destination + "' into '" + sandbox + "'");
        }
        log.println("Fetched '" + value + "' to '" + destination + "'");
    }

    /** Gets the resource {@code value} names into {@code destination}, by its scheme. */
    private void retrieve(String value, Path destination, boolean mayLink, PrintStream log)
            throws IOException, InterruptedException {
        String scheme = scheme(value);
        if (scheme == null) {
            if (!value.startsWith("/")) {
                throw new IOException("A relative path was passed for the resource but the Mesos framework home"
                        + " was not specified. Please either provide this config option or avoid using a"
                        + " relative path");
            }
            copyLocal(Path.of(value), destination, mayLink, log);
        } else if (scheme.equals("file")) {
            copyLocal(Path.of(URI.create(value).getPath()), destination, mayLink, log);
        } else if (scheme.equals("http") || scheme.equals("https")) {
            download(value, destination, log);
        } else {
            copyWithHadoop(value, destination, log);
        }
    }

    private static void makeExecutable(Path file) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
        permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OWNER_READ));
        Files.setPosixFilePermissions(file, permissions);
    }

    // glog's line format: E<mmdd> <hh:mm:ss.micros> <thread id> <file:line>] <message>
    private static String glogError(String where, String message) {
        java.time.LocalDateTime now = java.time.LocalDateTime.now();
        return String.format(Locale.ROOT, "E%02d%02d %02d:%02d:%02d.%06d %5d %s] %s", now.getMonthValue(),
                now.getDayOfMonth(), now.getHour(), now.getMinute(), now.getSecond(), now.getNano() / 1000,
                ProcessHandle.current().pid(), where, message);
    }

    /** The last path segment of a URI (its query left out) or path: the name a fetched file gets by default. */
    static String basename(String value) {
        String path = value;
        int query = path.indexOf('?');
        if (scheme(value) != null && query >= 0) {
            path = path.substring(0, query);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String scheme(String value) {
        int colon = value.indexOf("://");
        if (colon <= 0) {
            return null;
        }
        return value.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static Path destination(CommandInfo.URI uri, String value, Path sandbox) throws IOException {
        String name;
        if (uri.hasOutputFile() && !uri.getOutputFile().isEmpty()) {
            name = uri.getOutputFile();
            if (name.startsWith("/")) {
                throw new IOException("output_file must be a path relative to the sandbox, got '" + name + "'");
            }
        } else {
            name = basename(value);
            if (name.isEmpty()) {
                throw new IOException("cannot derive a file name from the URI; set output_file");
            }
        }
        Path destination = sandbox.resolve(name).normalize();
        if (!destination.startsWith(sandbox)) {
            throw new IOException("output_file '" + name + "' leaves the sandbox");
        }
        Files.createDirectories(destination.getParent());
        return destination;
    }

    static void copyLocal(Path source, Path destination, boolean mayLink, PrintStream log)
            throws IOException {
        if (!Files.exists(source)) {
            throw new IOException("Failed to copy '" + source + "': No such file or directory");
        }
        if (Files.isDirectory(source)) {
            throw new IOException("Failed to copy '" + source + "': it is a directory");
        }
        // Mesos copies; on this one machine a hard link gives the sandbox the same bytes without reading them
        // (the 17 MB executor jar on every build), and keeps the file's mtime, which the executor's class-data
        // archive checks. Another filesystem, a file this user may not link, or one to be made executable (the
        // chmod would change the original too) is copied as Mesos does.
        Files.deleteIfExists(destination);
        if (mayLink) {
            try {
                Files.createLink(destination, source);
                log.println("Linked resource '" + source + "' to '" + destination + "'");
                return;
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // Fall through to the copy.
            }
        }
        log.println("Copying resource with command:cp '" + source + "' '" + destination + "'");
        // Keeping the time costs nothing and keeps a class-data archive of a copied jar valid.
        Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private void download(String value, Path destination, PrintStream log) throws IOException, InterruptedException {
        log.println("Downloading resource from '" + value + "' to '" + destination + "'");
        HttpRequest request = HttpRequest.newBuilder(URI.create(value)).timeout(Duration.ofMinutes(10)).GET().build();
        HttpResponse<Path> response = http().send(request, HttpResponse.BodyHandlers.ofFile(destination));
        if (response.statusCode() != 200) {
            Files.deleteIfExists(destination);
            throw new IOException("Error downloading resource, received HTTP return code " + response.statusCode());
        }
    }

    private void copyWithHadoop(String value, Path destination, PrintStream log)
            throws IOException, InterruptedException {
        String hadoop = findHadoop();
        if (hadoop == null) {
            // Mesos's words: its HDFS client ran `hadoop version 2>&1` through sh, which exited 127 (a wait status)
            throw new IOException("Failed to create HDFS client: Hadoop client is not available, exit status: "
                    + (127 << 8));
        }
        Files.deleteIfExists(destination);
        log.println("Downloading resource with Hadoop client from '" + value + "' to '" + destination + "'");
        Process process = new ProcessBuilder(hadoop, "fs", "-copyToLocal", value, destination.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        log.print(output);
        if (process.exitValue() != 0) {
            throw new IOException("HDFS copyToLocal failed: " + hadoop + " fs -copyToLocal '" + value + "' '"
                    + destination + "' exited with status " + process.exitValue() + ": " + output.trim());
        }
    }

    private String findHadoop() {
        String home = environment.get("HADOOP_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "hadoop"))) {
            return Path.of(home, "bin", "hadoop").toString();
        }
        String path = environment.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "hadoop"))) {
                return Path.of(dir, "hadoop").toString();
            }
        }
        return null;
    }

    private static boolean isArchive(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return ARCHIVES.stream().anyMatch(name::endsWith);
    }

    private static void extract(Path archive, Path directory) throws IOException, InterruptedException {
        String name = archive.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tar.xz") || name.endsWith(".txz")) {
            // commons-compress needs the optional XZ library for this one; tar(1) is what Mesos runs anyway.
            Process tar = new ProcessBuilder("tar", "-C", directory.toString(), "-xJf", archive.toString())
                    .redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IOException("Failed to extract archive '" + archive + "': " + output.trim());
            }
            return;
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
             ArchiveInputStream<? extends ArchiveEntry> in = open(name, raw)) {
            ArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                Path target = directory.resolve(entry.getName()).normalize();
                if (!target.startsWith(directory)) {
                    throw new IOException("Archive entry '" + entry.getName() + "' leaves the sandbox");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                if (entry instanceof TarArchiveEntry tar && tar.isSymbolicLink()) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(tar.getLinkName()));
                    continue;
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                int mode = entry instanceof TarArchiveEntry tar ? tar.getMode()
                        : entry instanceof ZipArchiveEntry zip ? zip.getUnixMode() : 0;
                if ((mode & 0111) != 0) {
                    target.toFile().setExecutable(true, false);
                }
            }
        } catch (IOException e) {
            throw new IOException("Failed to extract archive '" + archive + "': " + e.getMessage(), e);
        }
    }

    private static ArchiveInputStream<? extends ArchiveEntry> open(String name, InputStream raw) throws IOException {
        if (name.endsWith(".zip")) {
            return new ZipArchiveInputStream(raw);
        }
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
        }
        if (name.endsWith(".tar.bz2") || name.endsWith(".tbz2")) {
            return new TarArchiveInputStream(new BZip2CompressorInputStream(raw));
        }
        return new TarArchiveInputStream(raw);
    }
}
