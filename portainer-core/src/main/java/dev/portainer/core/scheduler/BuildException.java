package dev.portainer.core.scheduler;

/**
 * Why a build on Mesos did not produce an image: either the build itself failed ({@link BuildFailedException}, the
 * user's to fix, retrying will not help) or the cluster did ({@link ClusterException}, a retry may help).
 */
public abstract sealed class BuildException extends Exception permits BuildFailedException, ClusterException {
    BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
