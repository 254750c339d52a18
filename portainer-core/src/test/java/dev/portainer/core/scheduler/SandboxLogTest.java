package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.AgentFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SandboxLogTest {
    private static final String STDOUT = """
            portainer-executor: subscribing to the agent
            portainer-executor: launched task t
            Step 1/2 : FROM portainer/busybox
            portainer-executor: log frame 1 not delivered: connection reset
            Größe: 5 €
             ---> 1a2b3c
            Successfully built 1a2b3c
            portainer-executor: TASK_FINISHED
            """;

    private final AtomicInteger reads = new AtomicInteger();

    /** Serves the file in tiny chunks, so lines and UTF-8 characters are cut between reads as on a real agent. */
    private SandboxLog.Reader chunked(String content, int chunk) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return (offset, length) -> {
            reads.incrementAndGet();
            int from = (int) Math.min(offset, bytes.length);
            int to = Math.min(bytes.length, from + Math.min(length, chunk));
            return new AgentFiles.Chunk(Arrays.copyOfRange(bytes, from, to), from);
        };
    }

    @Test
    void lineNIsTheNthStdoutLineThatIsNotTheExecutorsNote() throws Exception {
        SandboxLog log = new SandboxLog(chunked(STDOUT, 5), "stdout");
        assertEquals(List.of("Größe: 5 €", " ---> 1a2b3c"), log.lines(1, 3));
        assertEquals(List.of("Successfully built 1a2b3c"), log.lines(3, 4), "reads on from where it stopped");
        assertEquals(List.of("Step 1/2 : FROM portainer/busybox"), log.lines(0, 1), "starts over for an earlier line");
    }

    @Test
    void readsForwardSoThatAWholeBuildsGapsCostOnePass() throws Exception {
        SandboxLog log = new SandboxLog(chunked(STDOUT, 1000), "stdout");
        log.lines(1, 2);
        log.lines(2, 3);
        log.lines(3, 4);
        assertEquals(3, reads.get(), "one read per gap, each from where the last stopped");
    }

    @Test
    void aLineThatIsNotYetInTheFileIsAnError() throws Exception {
        SandboxLog log = new SandboxLog(chunked(STDOUT, 1000), "stdout on agent-1");
        IOException e = assertThrows(IOException.class, () -> log.lines(3, 6));
        assertTrue(e.getMessage().contains("stdout on agent-1 holds 4 build log lines, not the 6 needed"),
                e.getMessage());
    }

    @Test
    void refusesToRecoverWhenTheFileDoesNotMatchTheLinesReceived() {
        SandboxLog log = new SandboxLog(chunked("something else printed this\n" + STDOUT, 1000), "stdout");
        log.delivered(0, "Step 1/2 : FROM portainer/busybox");
        log.delivered(2, " ---> 1a2b3c");
        SandboxLog.MismatchException e = assertThrows(SandboxLog.MismatchException.class, () -> log.lines(1, 2));
        assertTrue(e.getMessage().contains("line 0 of stdout is not the line received"), e.getMessage());
    }

    @Test
    void linesReceivedAroundTheGapConfirmTheFile() throws Exception {
        SandboxLog log = new SandboxLog(chunked(STDOUT, 3), "stdout");
        log.delivered(0, "Step 1/2 : FROM portainer/busybox");
        log.delivered(2, " ---> 1a2b3c");
        assertEquals(List.of("Größe: 5 €"), log.lines(1, 2));
        assertEquals(List.of("Successfully built 1a2b3c"), log.lines(3, 4));
    }

    @Test
    void blankLinesAndEscapesAloneAreLinesThatCount() throws Exception {
        // RUN echo one; echo; echo two; echo >&2 as the executor prints it: blank, "ESC[91m", "ESC[0m…" are lines.
        String stdout = "portainer-executor: launched task t\n ---> Running in 37ba534a1963\none\n\ntwo\n"
                + "portainer-executor: log frame 4 not delivered: connection reset\n\u001b[91m\n"
                + "\u001b[0mRemoving intermediate container 37ba534a1963\n\n";
        SandboxLog log = new SandboxLog(chunked(stdout, 4), "stdout");
        log.delivered(0, " ---> Running in 37ba534a1963");
        log.delivered(1, "one");
        log.delivered(3, "two");
        log.delivered(5, "\u001b[0mRemoving intermediate container 37ba534a1963");
        assertEquals(List.of(""), log.lines(2, 3), "the blank line is line 2");
        assertEquals(List.of("\u001b[91m"), log.lines(4, 5), "and escapes alone are a line of their own");
        assertEquals(List.of(""), log.lines(6, 7), "a blank line at the very end too");
    }
}
