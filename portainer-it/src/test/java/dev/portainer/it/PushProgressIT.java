package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Push progress on a developer's terminal is one line drawn over with each state, whose last state stays; in batch
 * mode ({@code -B}), on the same terminal, it is a line per state as in CI. Maven runs on a pseudo-terminal, so that
 * it has a console as it would in a shell.
 */
class PushProgressIT {
    /** An aggregate progress line of a push. */
    private static final Pattern AGGREGATE = Pattern.compile("Pushing \\d+ layers?: \\d+% \\(");
    private static final String ERASE_LINE = "\r\u001b[2K";
    private static final Pattern ESCAPE = Pattern.compile("\u001b\\[[0-?]*[ -/]*[@-~]");

    private final List<String> images = new ArrayList<>();

    @AfterEach
    void removeImages() throws Exception {
        for (String image : images) {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
    }

    /** Builds and pushes a new 24 MB layer, so that its push reports progress many times. */
    private MavenRun.Outcome pushOnTerminal(boolean batchMode) throws Exception {
        String image = MavenRun.REGISTRY + "/it/progress-" + UUID.randomUUID().toString().substring(0, 8);
        images.add(image);
        Path project = MavenRun.copyProject("push-progress");
        Path dockerfile = project.resolve("Dockerfile");
        Files.writeString(dockerfile, Files.readString(dockerfile).replace("RUN_ID", UUID.randomUUID().toString()));
        MavenRun.Outcome run = MavenRun.runOnTerminal(project, batchMode, "package", "portainer:build",
                "-Dportainer.image=" + image, "-Dportainer.buildCpu=0.5", "-Dportainer.buildMem=256");
        assertTrue(run.succeeded(), run.output());
        return run;
    }

    /**
     * What the terminal shows once the output is written: each row as its last carriage return left it (what was
     * drawn over is gone), without colours and trailing spaces.
     */
    private static List<String> screen(String output) {
        List<String> rows = new ArrayList<>();
        for (String row : output.split("\n", -1)) {
            String line = row.endsWith("\r") ? row.substring(0, row.length() - 1) : row; // the pty's \r\n
            line = line.substring(line.lastIndexOf('\r') + 1);
            rows.add(ESCAPE.matcher(line).replaceAll("").stripTrailing());
        }
        return rows;
    }

    private static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void onAnInteractiveTerminalProgressIsOneLineDrawnOverWhoseLastStateStays() throws Exception {
        MavenRun.Outcome run = pushOnTerminal(false);
        String output = run.output();

        assertTrue(output.contains(ERASE_LINE), "progress drawn over with CR and ESC[2K: " + output);
        int drawn = count(AGGREGATE, output);
        List<String> screen = screen(output);
        int shown = count(AGGREGATE, String.join("\n", screen));
        assertTrue(drawn >= 3, "the push reported progress several times: " + output);
        assertTrue(shown <= 1, "not one line per update; the screen shows:\n" + String.join("\n", screen));
        // The row that held them holds more than one update: they went over each other, not under each other.
        long rowsWithUpdates = Pattern.compile("\n").splitAsStream(output)
                .filter(row -> AGGREGATE.matcher(row).find()).count();
        assertTrue(rowsWithUpdates < drawn, rowsWithUpdates + " rows for " + drawn + " updates: " + output);

        // Each state fits the terminal's width: a line that wrapped would be drawn over only in its last row.
        String last = null;
        for (String draw : output.split(Pattern.quote(ERASE_LINE))) {
            String state = draw.split("[\r\n]", 2)[0];
            assertTrue(state.length() < MavenRun.TERMINAL_COLUMNS, "wider than the terminal: '" + state + "'");
            if (state.startsWith("[INFO] ")) {
                last = state.stripTrailing();
            }
        }
        // The last state drawn stays on screen, as a log line of its own (whole, where the drawn one was cut to the
        // terminal's width), above the line that followed.
        assertTrue(last != null, output);
        String kept = last;
        int row = screen.stream().filter(r -> r.startsWith(kept)).findFirst().map(screen::indexOf).orElse(-1);
        assertTrue(row >= 0, "'" + last + "' stays on screen:\n" + String.join("\n", screen));
        assertTrue(screen.get(row + 1).contains("digest: sha256:"),
                "the line after the progress is the push's digest:\n" + String.join("\n", screen));
    }

    @Test
    void inBatchModeOnTheSameTerminalEveryProgressStateIsALineOfItsOwn() throws Exception {
        MavenRun.Outcome run = pushOnTerminal(true);
        String output = run.output();

        assertFalse(output.contains(ERASE_LINE), "nothing drawn over: " + output);
        List<String> screen = screen(output);
        List<String> aggregates = screen.stream().filter(row -> AGGREGATE.matcher(row).find()).toList();
        assertTrue(aggregates.size() >= 3, "the push reported progress several times: " + output);
        assertEquals(count(AGGREGATE, output), aggregates.size(), "one row per update: " + aggregates);
        assertTrue(aggregates.stream().allMatch(row -> row.startsWith("[INFO] [")), String.join("\n", aggregates));
    }
}
