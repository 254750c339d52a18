package dev.portainer.maven;

import dev.portainer.core.config.Message;
import dev.portainer.core.scheduler.BuildEvents;
import org.apache.maven.plugin.logging.Log;

/**
 * Prints a build's progress in the Maven log; Docker's output is prefixed by its image's name. On an interactive
 * terminal ({@link TerminalProgressLine#of}) push and pull progress is one line drawn over with each state; its last
 * state stays, as a log line, once any other line follows or the goal {@linkplain #finish finishes}. Elsewhere
 * every progress line is a log line. Thread-safe: several images' builds report at once.
 */
final class MavenBuildListener implements BuildEvents {
    private final Log log;
    private final String prefix;
    /** For several images: each task's lines carry its own image's name. */
    private final java.util.Map<String, String> prefixes;
    /** Where progress is drawn over itself; null: progress lines are log lines. */
    private final ProgressLine progressLine;
    /** The progress line drawn and not yet in the log, or null. */
    private String drawn;
    /** The task whose progress {@link #drawn} is. */
    private String drawnTask;

    MavenBuildListener(Log log, String image) {
        this(log, image, null);
    }

    /** @param progressLine where progress is drawn over itself, or null for log lines */
    MavenBuildListener(Log log, String image, ProgressLine progressLine) {
        this.log = log;
        this.prefix = "[" + image + "] ";
        this.prefixes = java.util.Map.of();
        this.progressLine = progressLine;
    }

    /** @param imageByTask the image name of each build task, by the task's name */
    MavenBuildListener(Log log, java.util.Map<String, String> imageByTask) {
        this(log, imageByTask, null);
    }

    /**
     * @param imageByTask  the image name of each build task, by the task's name
     * @param progressLine where progress is drawn over itself, or null for log lines
     */
    MavenBuildListener(Log log, java.util.Map<String, String> imageByTask, ProgressLine progressLine) {
        this.log = log;
        this.prefix = "";
        java.util.Map<String, String> p = new java.util.HashMap<>();
        imageByTask.forEach((task, image) -> p.put(task, "[" + image + "] "));
        this.prefixes = java.util.Map.copyOf(p);
        this.progressLine = progressLine;
    }

    @Override
    public synchronized void info(String message) {
        keepProgress();
        log.info(message);
    }

    @Override
    public synchronized void debug(String message) {
        if (log.isDebugEnabled()) {
            keepProgress();
        }
        log.debug(message);
    }

    @Override
    public synchronized void warn(String message) {
        keepProgress();
        log.warn(message);
    }

    @Override
    public synchronized void info(Message message) {
        keepProgress();
        log.info(message.render(MavenSuggestions.INSTANCE));
    }

    @Override
    public synchronized void warn(Message message) {
        keepProgress();
        log.warn(message.render(MavenSuggestions.INSTANCE));
    }

    @Override
    public synchronized void log(String taskName, String line) {
        keepProgress();
        log.info(prefix(taskName) + line);
    }

    /** Docker's warnings are Maven warnings, so that CI's warning counts and a log filtered to warnings show them. */
    @Override
    public synchronized void logWarning(String taskName, String line) {
        keepProgress();
        log.warn(prefix(taskName) + line);
    }

    @Override
    public synchronized void progress(String taskName, String line) {
        if (progressLine == null || !log.isInfoEnabled()) {
            log.info(prefix(taskName) + line);
            return;
        }
        if (drawn != null && !taskName.equals(drawnTask)) {
            // Several images push at once: one image's state must not wipe out another's; they alternate as lines.
            keepProgress();
        }
        drawn = prefix(taskName) + line;
        drawnTask = taskName;
        // Looks like the log line it becomes; the level needs no colour to be read.
        progressLine.redraw("[INFO] " + drawn);
    }

    /** The goal is done with the build: a progress line still drawn stays, as a log line, before Maven's next. */
    synchronized void finish() {
        keepProgress();
    }

    /** The progress line drawn becomes a log line, so that it stays on screen above the line that follows. */
    private void keepProgress() {
        if (drawn != null) {
            progressLine.clear();
            log.info(drawn);
            drawn = null;
        }
    }

    private String prefix(String taskName) {
        return prefixes.getOrDefault(taskName, prefix.isEmpty() ? "[" + taskName + "] " : prefix);
    }
}
