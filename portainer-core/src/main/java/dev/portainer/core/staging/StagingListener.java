package dev.portainer.core.staging;

/** Where a stager reports progress (uploads, removed leftovers) and problems that never fail a build. */
public interface StagingListener {
    void info(String message);

    void warn(String message);

    /** A listener from two sinks, e.g. {@code StagingListener.of(events::info, events::warn)}. */
    static StagingListener of(java.util.function.Consumer<String> info, java.util.function.Consumer<String> warn) {
        return new StagingListener() {
            @Override
            public void info(String message) {
                info.accept(message);
            }

            @Override
            public void warn(String message) {
                warn.accept(message);
            }
        };
    }
}
