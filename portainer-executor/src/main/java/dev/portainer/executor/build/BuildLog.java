package dev.portainer.executor.build;

/** Where a build sends each line of its output, as it happens (the executor prints it and forwards it). */
@FunctionalInterface
public interface BuildLog {
    /** One line of output, without its line terminator. */
    void line(String line);
}
