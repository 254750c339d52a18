package dev.portainer.executor.build;

/**
 * What a running build tells the executor as it goes: each line of its output, as it happens (the executor prints it
 * and forwards it), and the moment before its first push.
 */
@FunctionalInterface
public interface BuildLog {
    /** One line of output, without its line terminator. */
    void line(String line);

    /**
     * One line that says how far a transfer got (a layer's state, a push's or pull's aggregate), which the next such
     * line supersedes: it reaches the log marked as {@linkplain dev.portainer.wire.LogFrame.Kind#PROGRESS progress}, so
     * that an interactive terminal can show it in place of the previous one.
     */
    default void progress(String line) {
        line(line);
    }

    /** Several lines of output at once, in order (what one chunk of Docker's stream held). */
    default void lines(java.util.List<String> lines) {
        lines.forEach(this::line);
    }

    /**
     * Called once, on the build's thread, before the first push; the push starts when this returns. The executor
     * first makes sure that the scheduler will learn a push began, whatever happens to the executor afterwards, so
     * that a build that may have pushed is never run again.
     *
     * @throws InterruptedException when the task is being stopped instead: nothing may be pushed
     */
    default void beforePush() throws InterruptedException {
    }
}
