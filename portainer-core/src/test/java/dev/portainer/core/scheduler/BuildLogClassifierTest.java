package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portainer.wire.TerminalEscapes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code stream} fragments here are what Docker 20.10's classic builder sent (captured with curl on its socket),
 * put into lines as the executor does: split at each newline, a last piece of escapes alone dropped.
 */
class BuildLogClassifierTest {
    private final BuildLogClassifier classifier = new BuildLogClassifier();

    private static List<String> lines(String... fragments) {
        String[] pieces = String.join("", fragments).split("\n", -1);
        List<String> lines = new ArrayList<>(List.of(pieces));
        String last = lines.remove(lines.size() - 1);
        if (!last.isEmpty() && !TerminalEscapes.onlyEscapes(last)) {
            lines.add(last);
        }
        return lines;
    }

    /** Each line as shown: "W " for a warning, "I " for the rest, then its text. */
    private List<String> shown(String... fragments) {
        List<String> out = new ArrayList<>();
        for (String line : lines(fragments)) {
            BuildLogClassifier.Shown shown = classifier.classify(line);
            out.add((shown.warning() ? "W " : "I ") + shown.text());
        }
        return out;
    }

    @Test
    void theParsersWarningBlockIsAWarningLineForLineAndWhatFollowsIsNot() {
        assertEquals(List.of(
                        "W [WARNING]: Empty continuation line found in:",
                        "W     RUN echo a   && echo b",
                        "W [WARNING]: Empty continuation lines will become errors in a future release.",
                        "I Step 1/3 : FROM 127.0.0.1:5000/portainer/busybox:latest",
                        "I  ---> 0c3883fa5e32",
                        "I Step 2/3 : RUN echo a   && echo b",
                        "I  ---> Running in ca782fe4019f",
                        "I a",
                        "I b"),
                shown("\u001b[91m[WARNING]: Empty continuation line found in:\n    RUN echo a   && echo b\n"
                                + "[WARNING]: Empty continuation lines will become errors in a future release.\n"
                                + "\u001b[0m",
                        "Step 1/3 : FROM 127.0.0.1:5000/portainer/busybox:latest", "\n",
                        " ---> 0c3883fa5e32\n",
                        "Step 2/3 : RUN echo a   && echo b", "\n",
                        " ---> Running in ca782fe4019f\n",
                        "a\nb\n"));
    }

    @Test
    void aRunStepsStderrIsNoWarningAndItsBlankLinesStay() {
        assertEquals(List.of(
                        "I Step 3/3 : RUN echo one; echo; echo two; echo err-line >&2; printf \"no-newline\"",
                        "I  ---> Running in 37ba534a1963",
                        "I err-line",
                        "I one",
                        "I ",
                        "I two",
                        "I no-newlineRemoving intermediate container 37ba534a1963",
                        "I  ---> 18457581eefe",
                        "W [Warning] One or more build-args [FOO] were not consumed",
                        "I Successfully built a0ebf7f6b945"),
                shown("Step 3/3 : RUN echo one; echo; echo two; echo err-line >&2; printf \"no-newline\"", "\n",
                        " ---> Running in 37ba534a1963\n",
                        "\u001b[91merr-line\n\u001b[0m",
                        "one\n\ntwo\nno-newline",
                        "Removing intermediate container 37ba534a1963\n",
                        " ---> 18457581eefe\n",
                        "[Warning] One or more build-args [FOO] were not consumed\n",
                        "Successfully built a0ebf7f6b945\n"));
    }

    @Test
    void blankLinesOnStderrAndRightAfterItAreBlankLinesAsDockerBuildShowsThem() {
        // RUN echo >&2; echo x >&2; echo; echo y; echo z >&2; echo >&2 (the daemon let stderr overtake stdout).
        assertEquals(List.of("I ", "I x", "I z", "I ", "I y", "I ", "I Removing intermediate container a434ee3701d4"),
                shown("\u001b[91m\n\u001b[0m", "\u001b[91mx\n\u001b[0m", "\u001b[91mz\n\u001b[0m", "\ny\n",
                        "\u001b[91m\n\u001b[0m", "Removing intermediate container a434ee3701d4\n"));
    }

    @Test
    void theDaemonsWarningWhenCreatingAStepsContainerIsAWarning() {
        assertEquals(List.of("I Step 2/2 : RUN echo hi",
                        "W  ---> [Warning] The requested image's platform (linux/arm64) does not match the detected host"
                                + " platform (linux/amd64) and no specific platform was requested",
                        "I  ---> Running in 50411560eae7",
                        "I hi"),
                shown("Step 2/2 : RUN echo hi", "\n",
                        " ---> [Warning] The requested image's platform (linux/arm64) does not match the detected host"
                                + " platform (linux/amd64) and no specific platform was requested\n",
                        " ---> Running in 50411560eae7\n", "hi\n"));
    }

    @Test
    void aPullsWarningInAFromStepIsAWarningButARunStepsWarningColonIsNot() {
        // The pull's status message, one line once the executor joined its lines.
        String pulled = "WARNING: Pulled image with specified platform (linux/arm64), but the resulting image's"
                + " configured platform (linux/amd64) does not match. This is most likely caused by a bug in the build"
                + " system that created the fetched image (127.0.0.1:5000/portainer/busybox:latest). Please notify the"
                + " image author to correct the configuration.";
        assertEquals(List.of("I Step 1/2 : FROM 127.0.0.1:5000/portainer/busybox:latest",
                        "I latest: Pulling from portainer/busybox",
                        "W " + pulled,
                        "I  ---> 0c3883fa5e32",
                        "I Step 2/2 : RUN echo WARNING: mine",
                        "I  ---> Running in 238beb7273d3",
                        "I WARNING: mine"),
                shown("Step 1/2 : FROM 127.0.0.1:5000/portainer/busybox:latest", "\n",
                        "latest: Pulling from portainer/busybox\n", pulled + "\n", " ---> 0c3883fa5e32\n",
                        "Step 2/2 : RUN echo WARNING: mine", "\n", " ---> Running in 238beb7273d3\n",
                        "WARNING: mine\n"));
    }

    @Test
    void aStderrBlockThatOpensWithAWarningIsOneUpToItsEnd() {
        assertEquals(List.of("W [WARNING] deprecated option", "W   use --other instead", "I done", "I plain"),
                shown("\u001b[91m[WARNING] deprecated option\n  use --other instead\n\u001b[0m", "done\n",
                        "\u001b[91mplain\n\u001b[0m"));
    }

    @Test
    void everyKindOfEscapeSequenceIsTakenOut() {
        assertEquals(List.of("I green done", "I 50% [=====>    ]", "I link and title", "I cut short", "I and last"),
                shown("\u001b[1;32mgreen\u001b[0m \u001b(B\u001b[mdone\n",
                        "\u001b[2K\u001b[1G50% [=====>    ]\n",
                        "\u001b]8;;http://example.com\u0007link\u001b]8;;\u001b\\ and \u001b]0;x\u0007title\n",
                        "cut short\u001b[\n", "and last\u001b"));
    }

    @Test
    void anExtendedColourIsNoRedBlock() {
        assertEquals(List.of("W [WARNING] in colour 91 of 256", "I next"),
                shown("\u001b[38;5;91m[WARNING] in colour 91 of 256\n", "next\n"));
    }

    @Test
    void afterLostLinesNoBlockIsTakenToBeOpen() {
        classifier.classify("\u001b[91m[WARNING]: Empty continuation line found in:");
        classifier.gap(); // the block's end was in the lines lost
        assertEquals(new BuildLogClassifier.Shown("Step 1/1 : FROM busybox", false),
                classifier.classify("Step 1/1 : FROM busybox"));
    }

    @Test
    void aLineShownOutOfPlaceIsJudgedByItsOwnText() {
        assertEquals(new BuildLogClassifier.Shown("[WARNING]: Empty continuation line found in:", true),
                BuildLogClassifier.alone("\u001b[91m[WARNING]: Empty continuation line found in:"));
        assertEquals(new BuildLogClassifier.Shown("    RUN echo a", false), BuildLogClassifier.alone("    RUN echo a"));
        assertEquals(new BuildLogClassifier.Shown("", false), BuildLogClassifier.alone("\u001b[0m"));
    }
}
