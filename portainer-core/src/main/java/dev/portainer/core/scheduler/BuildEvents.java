package dev.portainer.core.scheduler;

import dev.portainer.core.config.Message;

/** Where a build reports progress; the Maven plugin maps it to its Log. Called from the thread that runs the build. */
public interface BuildEvents {
    /** Progress worth a line in the build output (subscribed, launched on host X, running…). */
    void info(String message);

    /**
     * Detail for whoever looks into how the build was scheduled (framework id, resources, task states): Maven shows
     * it with {@code -X}. One line per task says where it runs ({@link #info}); the rest is here.
     */
    default void debug(String message) {
    }

    /**
     * One line of the build's own output, in order: the text to show, without terminal escape sequences; a blank
     * line is a line too.
     */
    void log(String taskName, String line);

    /**
     * A line of the build's own output that is Docker's warning (an unused build arg, an empty continuation line),
     * in order with {@link #log}'s lines; a listener that does not tell them apart shows it as one of those.
     */
    default void logWarning(String taskName, String line) {
        log(taskName, line);
    }

    /**
     * A line of the build's own output that says how far a transfer got (a layer's state, a push's or a pull's
     * aggregate), in order with {@link #log}'s lines: the next progress line supersedes it, so a front end on an
     * interactive terminal may draw them over each other; one that does not shows it as one of {@link #log}'s lines.
     */
    default void progress(String taskName, String line) {
        log(taskName, line);
    }

    /** Something went wrong without failing the build (lost log lines, a reconnection). */
    void warn(String message);

    /** Progress that names settings; a front end names them its own way (see {@code Suggestions}). */
    default void info(Message message) {
        info(message.toString());
    }

    /** A warning that names settings; a front end names them its own way (see {@code Suggestions}). */
    default void warn(Message message) {
        warn(message.toString());
    }
}
