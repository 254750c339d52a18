package dev.portainer.core.build;

import dev.portainer.core.scheduler.BuildEvents;

/** Events that go nowhere, for tests that look at what a step did rather than at what it said. */
final class QuietEvents implements BuildEvents {
    static final BuildEvents INSTANCE = new QuietEvents();

    private QuietEvents() {
    }

    @Override
    public void info(String message) {
    }

    @Override
    public void log(String taskName, String line) {
    }

    @Override
    public void warn(String message) {
    }
}
