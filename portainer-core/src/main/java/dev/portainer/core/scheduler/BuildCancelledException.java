package dev.portainer.core.scheduler;

/** The build was cancelled (by {@link BuildRunner#cancel()} or its overall timeout) and its task killed. */
public final class BuildCancelledException extends ClusterException {
    public BuildCancelledException(String message) {
        super(message);
    }
}
