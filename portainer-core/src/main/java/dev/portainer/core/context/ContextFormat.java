package dev.portainer.core.context;

/**
 * How a packed context is stored. The Docker daemon takes either; so does the Mesos fetcher, which extracts neither
 * unless told to ({@code extract}), and Portainer never tells it.
 */
public enum ContextFormat {
    /** A plain tar: for an agent that reads the file in place, where compressing would only cost time. */
    TAR(".tar"),
    /**
     * A gzip stream of the tar, compressed in blocks on every core, each block stored as it is when it would not
     * shrink: for contexts that cross a network.
     */
    TAR_GZIP(".tar.gz");

    private final String extension;

    ContextFormat(String extension) {
        this.extension = extension;
    }

    /** The file name extension, {@code .tar} or {@code .tar.gz}. */
    public String extension() {
        return extension;
    }
}
