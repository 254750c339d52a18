package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.AgentFiles;
import dev.portainer.wire.LogFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptLogTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final List<String> TEXTS = List.of("The push refers to repository [127.0.0.1:5000/team/app]",
            "abc: Pushing", "Pushing 1 layer: 50% (1.0/2.0 MB)", "abc: Pushed", "1.0: digest: sha256:0 size: 528");
    private static final List<LogFrame.Kind> KINDS = List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.PROGRESS,
            LogFrame.Kind.PROGRESS, LogFrame.Kind.PROGRESS, LogFrame.Kind.OUTPUT);
    /** The executor's stdout for those lines: progress lines end with the mark, as ExecutorStdout says. */
    private static final String STDOUT = "portainer-executor: launched task t\n"
            + "The push refers to repository [127.0.0.1:5000/team/app]\n"
            + "abc: Pushing\r\n"
            + "Pushing 1 layer: 50% (1.0/2.0 MB)\r\n"
            + "abc: Pushed\r\n"
            + "1.0: digest: sha256:0 size: 528\n";

    /** What reaches the listener: "log", "progress" or "warning", then the line. */
    private final List<String> shown = new ArrayList<>();
    private final BuildEvents events = new BuildEvents() {
        @Override
        public void info(String message) {
        }

        @Override
        public void log(String taskName, String line) {
            shown.add("log " + line);
        }

        @Override
        public void logWarning(String taskName, String line) {
            shown.add("warning " + line);
        }

        @Override
        public void progress(String taskName, String line) {
            shown.add("progress " + line);
        }

        @Override
        public void warn(String message) {
        }
    };

    private static SandboxLog sandbox(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new SandboxLog((offset, length) -> {
            int from = (int) Math.min(offset, bytes.length);
            return new AgentFiles.Chunk(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 7)), from);
        }, "stdout");
    }

    private List<String> expected() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) {
            lines.add((KINDS.get(i) == LogFrame.Kind.PROGRESS ? "progress " : "log ") + TEXTS.get(i));
        }
        return lines;
    }

    @Test
    void progressLinesOfAFrameReachTheListenerAsProgress() {
        AttemptLog log = new AttemptLog("t", events, Duration.ofSeconds(2), 1000, 100);

        log.accept(LogFrame.of(0, TEXTS, KINDS), T0);

        assertEquals(expected(), shown);
    }

    @Test
    void linesReadBackFromTheSandboxKeepTheirKindByTheMarkAndLoseTheMark() throws Exception {
        AttemptLog log = new AttemptLog("t", events, Duration.ofSeconds(2), 1000, 100);
        log.readsBackFrom(sandbox(STDOUT), "stdout");

        // Lines 1 to 3 are lost in transit; the frames around them arrive.
        log.accept(LogFrame.of(0, TEXTS.subList(0, 1), KINDS.subList(0, 1)), T0);
        log.accept(LogFrame.of(4, TEXTS.subList(4, 5), KINDS.subList(4, 5)), T0);
        log.end(5, T0);
        log.fillDueGaps(T0, true);

        assertEquals(expected(), shown);
        assertTrue(log.complete());
        assertTrue(log.missing().isEmpty(), "the file matched the lines received: " + log.missing());
    }

    @Test
    void aProgressLineReceivedIsCheckedAgainstTheFileWithItsMark() throws Exception {
        AttemptLog log = new AttemptLog("t", events, Duration.ofSeconds(2), 1000, 100);
        log.readsBackFrom(sandbox(STDOUT), "stdout");

        // Received: the progress lines before the gap, which the file's marked lines must match to be trusted.
        log.accept(LogFrame.of(0, TEXTS.subList(0, 3), KINDS.subList(0, 3)), T0);
        log.end(5, T0);
        log.fillDueGaps(T0.plusSeconds(3), true);

        assertEquals(expected(), shown);
        assertTrue(log.missing().isEmpty(), "the file matched the lines received: " + log.missing());
    }
}
