package dev.portainer.core.scheduler;

import java.net.URI;
import java.util.Locale;

/**
 * Explains a launch that failed because the agent could not fetch a file. The agent itself says only
 * "Failed to fetch all URIs for container '…': exited with status 1"; the Mesos fetcher's reason is its last line in
 * the sandbox's stderr ({@code … fetcher.cpp:…] EXIT with status 1: Failed to fetch '<uri>': <why>}). This finds
 * that line and says what to do about it.
 */
final class FetchFailure {
    /** The sandbox file the fetcher writes to. */
    static final String STDERR = "stderr";
    private static final String MARKER = "Failed to fetch '";

    private FetchFailure() {
    }

    /** Whether a terminal status message is the agent's "the fetcher failed". */
    static boolean isFetchFailure(String statusMessage) {
        return statusMessage != null && statusMessage.contains("Failed to fetch all URIs for container");
    }

    /** The fetcher's own words ({@code Failed to fetch '<uri>': <why>}) from the sandbox's stderr, or null. */
    static String fetcherSaid(String stderr) {
        String said = null;
        for (String line : stderr.split("\n")) {
            int at = line.indexOf(MARKER);
            if (at >= 0) {
                said = line.substring(at).strip();
            }
        }
        return said;
    }

    /** What the user can do about what the fetcher said; empty when nothing specific is known. */
    static String fix(String fetcherSaid) {
        String uri = uri(fetcherSaid);
        String why = fetcherSaid.substring(Math.min(fetcherSaid.length(), MARKER.length() + uri.length() + 3));
        String lower = why.toLowerCase(Locale.ROOT);
        String scheme = scheme(uri);
        if (lower.contains("failed to create hdfs client")) {
            return "the agent has no Hadoop client to fetch " + scheme + ":// files: give the agents one (start"
                    + " mesos-agent with --hadoop_home, or put `hadoop` on its PATH), or let them fetch over WebHDFS"
                    + " instead (<fetchUriBase> auto, the default for hdfs://, or http(s)://namenode:9870)";
        }
        if (lower.contains("hdfs copytolocal failed")) {
            return "the agent's Hadoop client could not read the file: check that the agents can reach that"
                    + " filesystem with their Hadoop configuration, and may read the staging directory";
        }
        if (lower.contains("received http return code 404") || lower.contains("received http return code 410")) {
            return "the file was no longer there when the agent asked for it: the build's staging went away"
                    + " (was the build cancelled, or is the URL served by another Maven?)";
        }
        if (lower.contains("received http return code")) {
            return "the server refused the agent's request: check that the agents may read " + host(uri);
        }
        if (lower.contains("error downloading resource")) {
            return "the agent cannot reach " + host(uri) + ": let the agents reach that address (a firewall, or"
                    + " the address the Maven machine advertises), or stage where they can read (<stagingUri>)";
        }
        if (scheme.equals("file") || uri.startsWith("/")) {
            return "the agent does not see that path: a file:// staging directory must be shared with every"
                    + " agent, at the same path";
        }
        return "";
    }

    private static String uri(String fetcherSaid) {
        int end = fetcherSaid.indexOf("': ", MARKER.length());
        return end < 0 ? "" : fetcherSaid.substring(MARKER.length(), end);
    }

    private static String scheme(String uri) {
        int colon = uri.indexOf("://");
        return colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static String host(String uri) {
        try {
            URI parsed = URI.create(uri);
            if (parsed.getHost() != null) {
                return parsed.getHost() + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort());
            }
        } catch (IllegalArgumentException e) {
            // not a URI: name it whole
        }
        return uri;
    }
}
