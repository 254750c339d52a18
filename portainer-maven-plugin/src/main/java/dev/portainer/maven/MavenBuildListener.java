package dev.portainer.maven;

import dev.portainer.core.config.Message;
import dev.portainer.core.scheduler.BuildEvents;
import org.apache.maven.plugin.logging.Log;

/** Prints a build's progress in the Maven log; Docker's output is prefixed by its image's name. */
final class MavenBuildListener implements BuildEvents {
    private final Log log;
    private final String prefix;
    /** For several images: each task's lines carry its own image's name. */
    private final java.util.Map<String, String> prefixes;

    MavenBuildListener(Log log, String image) {
        this.log = log;
        this.prefix = "[" + image + "] ";
        this.prefixes = java.util.Map.of();
    }

    /** @param imageByTask the image name of each build task, by the task's name */
    MavenBuildListener(Log log, java.util.Map<String, String> imageByTask) {
        this.log = log;
        this.prefix = "";
        java.util.Map<String, String> p = new java.util.HashMap<>();
        imageByTask.forEach((task, image) -> p.put(task, "[" + image + "] "));
        this.prefixes = java.util.Map.copyOf(p);
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void debug(String message) {
        log.debug(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    @Override
    public void info(Message message) {
        log.info(message.render(MavenSuggestions.INSTANCE));
    }

    @Override
    public void warn(Message message) {
        log.warn(message.render(MavenSuggestions.INSTANCE));
    }

    @Override
    public void log(String taskName, String line) {
        log.info(prefix(taskName) + line);
    }

    /** Docker's warnings are Maven warnings, so that CI's warning counts and a log filtered to warnings show them. */
    @Override
    public void logWarning(String taskName, String line) {
        log.warn(prefix(taskName) + line);
    }

    private String prefix(String taskName) {
        return prefixes.getOrDefault(taskName, prefix.isEmpty() ? "[" + taskName + "] " : prefix);
    }
}
