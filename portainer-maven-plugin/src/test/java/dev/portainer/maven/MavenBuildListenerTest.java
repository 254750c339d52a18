package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;

class MavenBuildListenerTest {
    /** Records what reaches Maven's log, level first. */
    private static final class RecordingLog extends SystemStreamLog {
        final List<String> lines = new ArrayList<>();

        @Override
        public void info(CharSequence content) {
            lines.add("[INFO] " + content);
        }

        @Override
        public void warn(CharSequence content) {
            lines.add("[WARNING] " + content);
        }
    }

    @Test
    void dockersWarningsAreMavenWarningsWithTheImagesPrefixLikeEveryOtherLine() {
        RecordingLog log = new RecordingLog();
        MavenBuildListener listener = new MavenBuildListener(log, "127.0.0.1:5000/team/app");

        listener.log("team/app", "Step 1/2 : FROM busybox");
        listener.logWarning("team/app", "[Warning] One or more build-args [FOO] were not consumed");
        listener.log("team/app", "");

        assertEquals(List.of("[INFO] [127.0.0.1:5000/team/app] Step 1/2 : FROM busybox",
                "[WARNING] [127.0.0.1:5000/team/app] [Warning] One or more build-args [FOO] were not consumed",
                "[INFO] [127.0.0.1:5000/team/app] "), log.lines);
    }

    /**
     * A terminal's screen as Maven's log and the progress line write to it: the rows printed, and the row the cursor
     * is on, which the progress line draws over and a log line goes on from (so a line not cleared first would be
     * followed by the log's text on the same row).
     */
    private static final class FakeTerminal extends SystemStreamLog implements ProgressLine {
        final List<String> rows = new ArrayList<>();
        String cursorRow = "";
        int redraws;

        @Override
        public void redraw(String text) {
            cursorRow = text;
            redraws++;
        }

        @Override
        public void clear() {
            cursorRow = "";
        }

        @Override
        public void info(CharSequence content) {
            rows.add(cursorRow + "[INFO] " + content);
            cursorRow = "";
        }

        @Override
        public void warn(CharSequence content) {
            rows.add(cursorRow + "[WARNING] " + content);
            cursorRow = "";
        }
    }

    @Test
    void onATerminalProgressLinesAreOneLineDrawnOverAndTheLastStaysWhenAnotherLineFollows() {
        FakeTerminal terminal = new FakeTerminal();
        MavenBuildListener listener = new MavenBuildListener(terminal, "reg/app", terminal);

        listener.log("app:1.0", "The push refers to repository [reg/app]");
        listener.progress("app:1.0", "abc: Pushing");
        listener.progress("app:1.0", "Pushing 1 layer: 10% (1.0/10.0 MB)");
        listener.progress("app:1.0", "Pushing 1 layer: 50% (5.0/10.0 MB)");

        assertEquals(List.of("[INFO] [reg/app] The push refers to repository [reg/app]"), terminal.rows,
                "no progress line printed as a line of its own");
        assertEquals("[INFO] [reg/app] Pushing 1 layer: 50% (5.0/10.0 MB)", terminal.cursorRow, "the latest state");
        assertEquals(3, terminal.redraws, "each state drawn over the one before");

        listener.progress("app:1.0", "abc: Pushed");
        listener.log("app:1.0", "1.0: digest: sha256:0 size: 528");

        assertEquals(List.of("[INFO] [reg/app] The push refers to repository [reg/app]",
                "[INFO] [reg/app] abc: Pushed", "[INFO] [reg/app] 1.0: digest: sha256:0 size: 528"), terminal.rows,
                "the last state stays, on its own row, above the line that followed");
        assertEquals("", terminal.cursorRow);
    }

    @Test
    void onATerminalTwoImagesPushingAtOnceKeepEachOthersStatesAsLines() {
        FakeTerminal terminal = new FakeTerminal();
        MavenBuildListener listener = new MavenBuildListener(terminal, Map.of("a:1.0", "reg/a", "b:1.0", "reg/b"),
                terminal);

        listener.progress("a:1.0", "Pushing 1 layer: 10% (1.0/10.0 MB)");
        listener.progress("a:1.0", "Pushing 1 layer: 90% (9.0/10.0 MB)");
        listener.progress("b:1.0", "Pushing 1 layer: 20% (2.0/10.0 MB)");
        listener.progress("b:1.0", "Pushing 1 layer: 30% (3.0/10.0 MB)");
        listener.progress("a:1.0", "abc: Pushed");
        listener.finish();

        assertEquals(List.of("[INFO] [reg/a] Pushing 1 layer: 90% (9.0/10.0 MB)",
                "[INFO] [reg/b] Pushing 1 layer: 30% (3.0/10.0 MB)", "[INFO] [reg/a] abc: Pushed"), terminal.rows,
                "an image's drawn state becomes a line when another image's progress comes, never wiped out");
    }

    @Test
    void onATerminalTheLastProgressStateStaysWhenTheGoalFinishesOrMavenSaysSomething() {
        FakeTerminal terminal = new FakeTerminal();
        MavenBuildListener listener = new MavenBuildListener(terminal, Map.of("a:1.0", "reg/a"), terminal);

        listener.progress("a:1.0", "Pushing 1 layer: 100% (1.0/1.0 MB)");
        listener.warn("a log line was lost");
        listener.progress("a:1.0", "def: Layer already exists");
        listener.finish();
        listener.finish();

        assertEquals(List.of("[INFO] [reg/a] Pushing 1 layer: 100% (1.0/1.0 MB)", "[WARNING] a log line was lost",
                "[INFO] [reg/a] def: Layer already exists"), terminal.rows);
        assertEquals("", terminal.cursorRow);
    }

    @Test
    void inBatchModeEveryProgressLineIsALogLine() {
        RecordingLog log = new RecordingLog();
        MavenBuildListener listener = new MavenBuildListener(log, "reg/app", null);

        listener.progress("app:1.0", "Pushing 1 layer: 10% (1.0/10.0 MB)");
        listener.progress("app:1.0", "Pushing 1 layer: 50% (5.0/10.0 MB)");
        listener.log("app:1.0", "1.0: digest: sha256:0 size: 528");
        listener.finish();

        assertEquals(List.of("[INFO] [reg/app] Pushing 1 layer: 10% (1.0/10.0 MB)",
                "[INFO] [reg/app] Pushing 1 layer: 50% (5.0/10.0 MB)",
                "[INFO] [reg/app] 1.0: digest: sha256:0 size: 528"), log.lines);
    }

    @Test
    void theTerminalLineIsErasedAndDrawnOverNeverEndedAndCutToTheTerminalsWidth() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        TerminalProgressLine line = new TerminalProgressLine(() -> out);

        line.redraw("[INFO] Pushing 1 layer: 10%");
        line.redraw("[INFO] a: Pushed");
        line.clear();

        assertEquals("\r\u001b[2K[INFO] Pushing 1 layer: 10%" + "\r\u001b[2K[INFO] a: Pushed" + " ".repeat(11)
                + "\r\u001b[2K" + " ".repeat(27) + "\r", bytes.toString(java.nio.charset.StandardCharsets.UTF_8),
                "spaces cover a longer state for a console that drops escapes; no newline ever");
        assertEquals("[INFO] Push", TerminalProgressLine.fit("[INFO] Pushing 1 layer: 10%", 12));
        assertEquals("[INFO] a", TerminalProgressLine.fit("[INFO] a", 12));
        assertEquals("[INFO] a", TerminalProgressLine.fit("[INFO] a", 0), "width unknown");
    }

    @Test
    void onlyMavensConsoleStreamIsDrawnOnNotTheFileThatDashLPutsInItsPlace() {
        java.io.PrintStream file = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
        assertEquals(false, TerminalProgressLine.isConsoleStream(file), "-l: System.out is a plain stream on the file");
        java.io.PrintStream console = new ConsoleLike(new java.io.ByteArrayOutputStream());
        assertEquals(true, TerminalProgressLine.isConsoleStream(console), "jansi's stream tells the terminal's width");
    }

    /** Like jansi's AnsiPrintStream, which Maven 3.8 and 3.9 put in System.out on a console. */
    public static final class ConsoleLike extends java.io.PrintStream {
        ConsoleLike(java.io.OutputStream out) {
            super(out);
        }

        public int getTerminalWidth() {
            return 80;
        }
    }

    @Test
    void withSeveralImagesEachTasksWarningCarriesItsOwnImage() {
        RecordingLog log = new RecordingLog();
        MavenBuildListener listener = new MavenBuildListener(log, Map.of("a:1.0", "reg/a", "b:1.0", "reg/b"));

        listener.logWarning("b:1.0", "[WARNING]: Empty continuation line found in:");

        assertEquals(List.of("[WARNING] [reg/b] [WARNING]: Empty continuation line found in:"), log.lines);
    }
}
