package dev.portainer.core.scheduler;

import java.util.Objects;

/**
 * A file the agent's Mesos fetcher puts into the executor's sandbox before starting it.
 *
 * @param uri        what to fetch (http(s), file, hdfs… as the agents' fetcher supports)
 * @param outputFile the name to give it in the sandbox, or null to keep the URI's last path segment
 * @param executable whether to make it executable
 * @param extract    whether the fetcher should unpack it (false for our context tar or tar.gz, which Docker reads whole)
 * @param cache      whether the agent may keep it in its fetcher cache ({@code CommandInfo.URI.cache}): only for a URI
 *                   whose bytes never change (the content-addressed executor jar on a shared filesystem)
 */
public record FetchUri(String uri, String outputFile, boolean executable, boolean extract, boolean cache) {
    /** A URI fetched anew for every task. */
    public FetchUri(String uri, String outputFile, boolean executable, boolean extract) {
        this(uri, outputFile, executable, extract, false);
    }

    public FetchUri {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("a fetch URI must not be empty");
        }
        if (outputFile != null && (outputFile.isBlank() || outputFile.contains("/"))) {
            throw new IllegalArgumentException("outputFile must be a plain file name, got '" + outputFile + "'");
        }
    }

    /** A file fetched as is, neither executable nor extracted. */
    public static FetchUri plain(String uri, String outputFile) {
        return new FetchUri(Objects.requireNonNull(uri, "uri"), outputFile, false, false);
    }
}
