package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The build log as Maven prints it (Docker's warnings as warnings, RUN output as printed), and empty build args. */
class BuildLogIT {
    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The image's build log lines in the Maven log, each as its level and the line without the image's prefix:
     * {@code "[WARNING] [Warning] One or more build-args [UNUSED] were not consumed"}, {@code "[INFO] "} for a blank.
     */
    private static List<String> imageLines(String output, String image) {
        String prefix = " [" + image + "] ";
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            int at = line.indexOf(prefix);
            if (line.startsWith("[") && at > 0 && line.indexOf(' ') == at) {
                lines.add(line.substring(0, at) + " " + line.substring(at + prefix.length()));
            }
        }
        return lines;
    }

    @Test
    void dockersWarningsAreMavenWarningsAndRunOutputIsKeptAsPrinted() throws Exception {
        String image = MavenRun.REGISTRY + "/it/" + unique("log-warnings");
        Path project = MavenRun.copyProject("build-log");

        // No cache: a cached RUN step prints nothing. UNUSED is consumed by no ARG, so Docker warns about it.
        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.push=false", "-Dportainer.noCache=true", "-Dportainer.buildArgs=UNUSED=x");
        try {
            assertTrue(build.succeeded(), build.output());
            assertFalse(build.output().contains("\u001b"), "no escape sequence reaches the Maven log: "
                    + build.output());
            List<String> lines = imageLines(build.output(), image);
            // The parser's warning block, its indented line included, from the build's stderr.
            int parser = lines.indexOf("[WARNING] [WARNING]: Empty continuation line found in:");
            assertTrue(parser >= 0, String.join("\n", lines));
            assertEquals(List.of("[WARNING]     RUN echo a   && echo b",
                    "[WARNING] [WARNING]: Empty continuation lines will become errors in a future release."),
                    lines.subList(parser + 1, parser + 3), String.join("\n", lines));
            assertTrue(lines.contains("[WARNING] [Warning] One or more build-args [UNUSED] were not consumed"),
                    String.join("\n", lines));
            // A RUN step's stderr is not a warning; its blank line stays in its place (stderr may overtake stdout).
            assertTrue(lines.contains("[INFO] err-line"), String.join("\n", lines));
            List<String> stdout = new ArrayList<>(lines);
            stdout.remove("[INFO] err-line");
            assertTrue(Collections.indexOfSubList(stdout, List.of("[INFO] first-line", "[INFO] ",
                    "[INFO] second-line")) >= 0, String.join("\n", lines));
            assertEquals(1, Collections.frequency(lines, "[INFO] "), "the one blank line, no spurious ones: "
                    + String.join("\n", lines));
            assertEquals(4, lines.stream().filter(l -> l.startsWith("[WARNING]")).count(),
                    "only Docker's warnings are warnings: " + String.join("\n", lines));
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void anEmptyBuildArgReachesTheDaemonAsTheEmptyStringFromThePomAndTheCommandLine() throws Exception {
        String image = MavenRun.REGISTRY + "/it/" + unique("log-empty-arg");
        Path project = MavenRun.copyProject("build-log");

        MavenRun.Outcome fromPom = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.push=false");
        try {
            assertTrue(fromPom.succeeded(), fromPom.output());
            // "[dropped-on-the-way]" if the arg had not reached the daemon: the ARG's default would apply.
            assertEquals("[]\n", Docker.ok("run", "--rm", image + ":1.0.0", "cat", "/empty"));
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(fromPom);

        // On the command line, EMPTY= is the empty value too, and wins over the pom's.
        Path pom = project.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("<EMPTY></EMPTY>", "<EMPTY>from-the-pom</EMPTY>"));
        MavenRun.Outcome fromCli = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.push=false", "-Dportainer.buildArgs=EMPTY=");
        try {
            assertTrue(fromCli.succeeded(), fromCli.output());
            assertEquals("[]\n", Docker.ok("run", "--rm", image + ":1.0.0", "cat", "/empty"));
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(fromCli);

        // A bare name still is not: Docker's CLI would read its value from an environment the agent does not have.
        MavenRun.Outcome bare = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.push=false", "-Dportainer.buildArgs=EMPTY");
        assertNotEquals(0, bare.exitCode(), bare.output());
        assertTrue(bare.output().contains("Build arg 'EMPTY' has no value"), bare.output());
        ItChecks.assertNothingLeftBehind(bare);
    }
}
