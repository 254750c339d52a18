package dev.portainer.core.context;

/** Hears what {@link ContextPacker} does, for the Maven log or the console; core itself never prints. */
public interface ContextPackListener {
    /** Hears nothing. */
    ContextPackListener NONE = new ContextPackListener() {
    };

    /**
     * An entry was written to the archive.
     *
     * @param path  '/'-separated path in the archive (directories end with '/')
     * @param bytes content bytes (0 for directories and symbolic links)
     */
    default void entryAdded(String path, long bytes) {
    }

    /** Something in the context directory was left out for a reason other than .dockerignore. */
    default void skipped(String path, String reason) {
    }
}
