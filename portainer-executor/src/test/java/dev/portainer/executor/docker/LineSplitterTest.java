package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add);

    @Test
    void joinsFragmentsAndSplitsMultiLineItems() {
        splitter.accept("Step 1/2 : FROM portainer/busybox");
        splitter.accept("\n"); // the classic builder sends a step's newline on its own
        splitter.accept(" ---> 68b135fc0ef4\n");
        splitter.accept("first half ");
        splitter.accept("second half\r\nnext");
        splitter.flush();
        assertEquals(List.of("Step 1/2 : FROM portainer/busybox", " ---> 68b135fc0ef4", "first half second half",
                "next"), lines);
    }

    @Test
    void keepsTheBlankLinesARunStepPrints() {
        // {"stream":"one\n\ntwo\n"} from RUN echo one; echo; echo two
        splitter.accept(" ---> Running in 37ba534a1963\n");
        splitter.accept("one\n\ntwo\n");
        splitter.accept("\n\r\n");
        splitter.flush();
        assertEquals(List.of(" ---> Running in 37ba534a1963", "one", "", "two", "", ""), lines);
    }

    @Test
    void keepsStderrBlocksVerbatimButTheClosingEscapeAfterTheLastNewlineIsNoLine() {
        // A RUN step's stderr as the daemon wraps it, a blank stderr line among it, and a build that ends there.
        splitter.accept("\u001b[91merr-line\n\u001b[0m");
        splitter.accept("\u001b[91m\n\u001b[0m");
        splitter.accept("one\n");
        splitter.accept("\u001b[91mlast-on-stderr\n\u001b[0m");
        splitter.flush();
        assertEquals(List.of("\u001b[91merr-line", "\u001b[0m\u001b[91m", "\u001b[0mone", "\u001b[91mlast-on-stderr"),
                lines);
    }

    @Test
    void aLastLineWithoutNewlineIsStillALine() {
        splitter.accept("no-newline");
        splitter.flush();
        splitter.flush();
        assertEquals(List.of("no-newline"), lines, "once, and an empty remainder is no line");
    }
}
