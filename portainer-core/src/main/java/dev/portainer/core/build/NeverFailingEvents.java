package dev.portainer.core.build;

import dev.portainer.core.config.Message;

import dev.portainer.core.scheduler.BuildEvents;

/**
 * Progress reporting that never throws. While the JVM stops (Ctrl-C), Maven's console can fail in the middle of a
 * line (its ANSI stream throws on a cut escape sequence); a log line that fails must never stop the cleanup that
 * kills tasks and removes staged files.
 */
final class NeverFailingEvents implements BuildEvents {
    private final BuildEvents delegate;

    private NeverFailingEvents(BuildEvents delegate) {
        this.delegate = delegate;
    }

    static BuildEvents wrap(BuildEvents events) {
        return events instanceof NeverFailingEvents ? events : new NeverFailingEvents(events);
    }

    @Override
    public void info(String message) {
        try {
            delegate.info(message);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void debug(String message) {
        try {
            delegate.debug(message);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void log(String taskName, String line) {
        try {
            delegate.log(taskName, line);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void logWarning(String taskName, String line) {
        try {
            delegate.logWarning(taskName, line);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void progress(String taskName, String line) {
        try {
            delegate.progress(taskName, line);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void warn(String message) {
        try {
            delegate.warn(message);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void info(Message message) {
        try {
            delegate.info(message);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }

    @Override
    public void warn(Message message) {
        try {
            delegate.warn(message);
        } catch (RuntimeException ignored) {
            // the console is gone; the build goes on
        }
    }
}
