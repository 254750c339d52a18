package dev.portainer.executor.docker;

import dev.portainer.executor.build.BuildLog;

/**
 * Turns Docker's {@code stream} fragments into whole lines: a fragment may hold several lines or end mid-line
 * (a RUN step's output arrives as the daemon reads it). Empty lines are dropped, they only pad the Maven log.
 */
final class LineSplitter {
    private final BuildLog log;
    private final StringBuilder partial = new StringBuilder();

    LineSplitter(BuildLog log) {
        this.log = log;
    }

    void accept(String fragment) {
        int start = 0;
        for (int i = 0; i < fragment.length(); i++) {
            if (fragment.charAt(i) == '\n') {
                partial.append(fragment, start, i);
                emit();
                start = i + 1;
            }
        }
        partial.append(fragment, start, fragment.length());
    }

    /** Emits a last line that had no newline. */
    void flush() {
        emit();
    }

    private void emit() {
        int end = partial.length();
        while (end > 0 && (partial.charAt(end - 1) == '\r' || partial.charAt(end - 1) == '\n')) {
            end--;
        }
        String line = partial.substring(0, end);
        partial.setLength(0);
        if (!line.isBlank()) {
            log.line(line);
        }
    }
}
