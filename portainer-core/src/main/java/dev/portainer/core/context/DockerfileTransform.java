package dev.portainer.core.context;

/**
 * Changes the Dockerfile's bytes on their way into the packed context; the user's file on disk is never touched.
 * Must be a pure function of its input, so that packing stays reproducible.
 */
@FunctionalInterface
public interface DockerfileTransform {
    /** Sends the Dockerfile as it is. */
    DockerfileTransform NONE = (path, original) -> original;

    /**
     * @param path     the Dockerfile's path inside the context, '/'-separated
     * @param original its bytes on disk
     * @return the bytes to pack instead (or {@code original})
     * @throws ContextException if the Dockerfile cannot be used (the message says how to fix it)
     */
    byte[] apply(String path, byte[] original) throws ContextException;
}
