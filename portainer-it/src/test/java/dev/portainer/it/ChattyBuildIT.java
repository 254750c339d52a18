package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A build that prints far more than a framework message a line could carry succeeds, its whole log in order. */
class ChattyBuildIT {
    private static final int LINES = 200_000;

    @Test
    void aRunStepThatPrintsTwoHundredThousandLinesSucceedsWithEveryLineInOrderAndIsPushedOnce() throws Exception {
        String repo = "it/chatty-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/" + repo;
        Path project = MavenRun.copyProject("chatty-build");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.noCache=true");
        try {
            String output = build.output();
            assertTrue(build.succeeded(), tail(output));
            List<String> run = runStepOutput(output, image);
            assertEquals(LINES, run.size(), "every line once: first " + head(run) + ", last " + tail(run));
            assertEquals("1", run.get(0), "the first line");
            assertEquals(Integer.toString(LINES), run.get(run.size() - 1), "the last line");
            for (int i = 0; i < LINES; i++) {
                if (!run.get(i).equals(Integer.toString(i + 1))) {
                    throw new AssertionError("line " + (i + 1) + " is '" + run.get(i) + "': out of order or lost, "
                            + "around " + run.subList(Math.max(0, i - 3), Math.min(run.size(), i + 3)));
                }
            }
            assertFalse(output.contains("lost in transit"), tail(output));
            assertFalse(output.contains("(recovered line"), "every line in its place");
            assertFalse(output.contains("retrying"), "one attempt: " + tail(output));
            assertEquals(1, output.split("\\] Launched ", -1).length - 1, "launched once: " + tail(output));

            // Pushed, once, with the digest the build reported.
            String digest = Files.readString(project.resolve("target/portainer/" + repo.substring(3) + ".digest"))
                    .trim();
            assertEquals(digest, Registry.digest(repo, "1.0.0"));
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    /** The RUN step's lines as Maven printed them, without Maven's level and the image's prefix. */
    private static List<String> runStepOutput(String output, String image) {
        String prefix = "[INFO] [" + image + "] ";
        List<String> lines = new ArrayList<>();
        boolean inRun = false;
        for (String line : output.split("\n", -1)) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            String text = line.substring(prefix.length());
            if (text.startsWith(" ---> Running in ")) {
                inRun = true;
            } else if (text.startsWith("Removing intermediate container ")) {
                break;
            } else if (inRun) {
                lines.add(text);
            }
        }
        return lines;
    }

    private static String head(List<String> lines) {
        return lines.subList(0, Math.min(5, lines.size())).toString();
    }

    private static String tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 5), lines.size()).toString();
    }

    /** The end of a long build log: what a failure needs, not 200,000 lines of it. */
    private static String tail(String output) {
        return output.length() <= 20_000 ? output : "…" + output.substring(output.length() - 20_000);
    }
}
