package dev.portainer.local.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The Mesos fetcher cache of one agent ({@code docs/fetcher.md}, {@code docs/fetcher-cache-internals.md}): a URI whose
 * {@code cache} is true is downloaded once per user into {@code <directory>/<user>/c<n>-<basename>} and copied from
 * there into each sandbox. Entries are keyed {@code <user>@<uri>}; a fetch of a URI another fetch is downloading waits
 * for it (and fails with it); the least recently used entries are evicted when the cache outgrows its size (the
 * agent's {@code --fetcher_cache_size}, 2 GB by default). Like a real agent, this one empties the directory when it
 * starts.
 */
final class FetcherCache {
    /** The agent's default {@code --fetcher_cache_size}. */
    static final long DEFAULT_SIZE = 2L * 1024 * 1024 * 1024;

    private final Path directory;
    private final long size;
    /** In access order: the first is the least recently used. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long serial;
    private long used;

    private FetcherCache(Path directory, long size) {
        this.directory = directory;
        this.size = size;
    }

    /** A cache in {@code directory}, emptied first, holding at most {@code size} bytes. */
    static FetcherCache at(Path directory, long size) throws IOException {
        deleteTree(directory);
        return new FetcherCache(directory, size);
    }

    /** One cached URI of one user: its file, and when it is downloaded. */
    static final class Entry {
        final String key;
        final Path file;
        private final CompletableFuture<Long> downloaded = new CompletableFuture<>();
        private int fetching;

        private Entry(String key, Path file) {
            this.key = key;
            this.file = file;
        }

        /** Waits until the entry is downloaded; throws what made its download fail. */
        void await() throws IOException, InterruptedException {
            try {
                downloaded.get();
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /**
     * What a fetch of {@code uri} for {@code user} gets: the entry, and whether this fetch must download it (the
     * first one) or only wait for it. Until {@link #release} the entry is not evicted.
     */
    record Claim(Entry entry, boolean download) {
    }

    synchronized Claim claim(String user, String uri) throws IOException {
        String key = user + "@" + uri;
        Entry entry = entries.get(key);
        boolean download = entry == null;
        if (download) {
            Path userDirectory = Files.createDirectories(directory.resolve(user));
            entry = new Entry(key, userDirectory.resolve("c" + ++serial + "-" + shortName(Fetcher.basename(uri))));
            entries.put(key, entry);
        }
        entry.fetching++;
        return new Claim(entry, download);
    }

    /** The first fetch downloaded the entry's file: the others may copy it; older entries go if it all is too large. */
    synchronized void downloaded(Entry entry) throws IOException {
        long bytes = Files.size(entry.file);
        used += bytes;
        entry.downloaded.complete(bytes);
        evictBeyondSize();
    }

    /** The first fetch could not download the entry: it is forgotten, and the fetches waiting for it fail too. */
    synchronized void failed(Entry entry, Exception cause) {
        entries.remove(entry.key, entry);
        entry.downloaded.completeExceptionally(cause);
        deleteQuietly(entry.file);
    }

    /** A fetch is done with the entry's file. */
    synchronized void release(Entry entry) {
        entry.fetching--;
        evictBeyondSize();
    }

    /** How many bytes the downloaded entries take. */
    synchronized long used() {
        return used;
    }

    private void evictBeyondSize() {
        List<Entry> evicted = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); used > size && it.hasNext(); ) {
            Entry entry = it.next().getValue();
            if (entry.fetching == 0 && entry.downloaded.isDone() && !entry.downloaded.isCompletedExceptionally()) {
                it.remove();
                used -= entry.downloaded.join();
                evicted.add(entry);
            }
        }
        evicted.forEach(entry -> deleteQuietly(entry.file));
    }

    /** The agent's rule for a cache file's name: a basename longer than 20 characters keeps 10 of each end. */
    static String shortName(String basename) {
        return basename.length() > 20
                ? basename.substring(0, 10) + "_" + basename.substring(basename.length() - 10) : basename;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the agent's work directory goes with it
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var walk = Files.walk(directory)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
