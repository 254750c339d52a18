package dev.portainer.executor.docker;

import dev.portainer.wire.TerminalEscapes;
import dev.portainer.executor.build.BuildLog;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Docker's {@code stream} fragments into whole lines: a fragment may hold several lines or end mid-line
 * (a RUN step's output arrives as the daemon reads it; a step's line and its newline come as two). Every line is
 * kept as Docker sent it, blank ones and escape sequences included: a log is a log, and whoever shows it decides
 * what to make of the escapes.
 */
final class LineSplitter {
    private final BuildLog log;
    private final StringBuilder partial = new StringBuilder();

    LineSplitter(BuildLog log) {
        this.log = log;
    }

    void accept(String fragment) {
        // The fragment's lines go on together: a RUN step that prints fast sends hundreds in one.
        List<String> lines = null;
        int start = 0;
        for (int i = 0; i < fragment.length(); i++) {
            if (fragment.charAt(i) == '\n') {
                partial.append(fragment, start, i);
                if (lines == null) {
                    lines = new ArrayList<>();
                }
                lines.add(take());
                start = i + 1;
            }
        }
        partial.append(fragment, start, fragment.length());
        if (lines != null) {
            if (lines.size() == 1) {
                log.line(lines.get(0));
            } else {
                log.lines(lines);
            }
        }
    }

    /**
     * Emits a last line that had no newline. Nothing, or escape sequences alone, is no line: Docker closes a red
     * stderr block with {@code ESC[0m} after its last newline, so a log that ends with a RUN step's stderr ends so.
     */
    void flush() {
        if (partial.isEmpty() || TerminalEscapes.onlyEscapes(partial.toString())) {
            partial.setLength(0);
            return;
        }
        emit();
    }

    private void emit() {
        log.line(take());
    }

    private String take() {
        int end = partial.length();
        while (end > 0 && partial.charAt(end - 1) == '\r') {
            end--;
        }
        String line = partial.substring(0, end);
        partial.setLength(0);
        return line;
    }
}
