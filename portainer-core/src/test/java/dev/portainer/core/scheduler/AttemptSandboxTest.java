package dev.portainer.core.scheduler;

import dev.portainer.wire.ExecutorStdout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portainer.core.mesos.AgentFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.mesos.v1.Protos.Address;
import org.apache.mesos.v1.Protos.URL;
import org.junit.jupiter.api.Test;

class AttemptSandboxTest {
    private static final String SANDBOX = "/frameworks/F1/executors/E1/runs/latest";
    private static final URI AGENT = URI.create("http://10.0.0.7:5051");
    private static final String FETCH_FAILED = "Failed to launch container: Failed to fetch all URIs for container "
            + "'c1': exited with status 1";
    private static final String FETCHER_LINE = "E1204 20:50:00.000300 4242 fetcher.cpp:615] EXIT with status 1: "
            + "Failed to fetch 'http://10.0.0.5:8080/s3cr3t/ctx.tar.gz': Error downloading resource: Couldn't connect "
            + "to server\n";

    /** The reads asked of the sandbox, as "file@offset+length". */
    private final List<String> reads = new ArrayList<>();

    /** A sandbox whose only file is {@code stderr}, served like the agent's /files/read. */
    private AttemptSandbox sandboxWithStderr(String stderr) {
        byte[] bytes = stderr.getBytes(StandardCharsets.UTF_8);
        return new AttemptSandbox((file, offset, length) -> {
            reads.add(file + "@" + offset + "+" + length);
            if (!file.equals(FetchFailure.STDERR)) {
                throw new IOException("no such file " + file);
            }
            if (offset < 0) {
                return new AgentFiles.Chunk(new byte[0], bytes.length);
            }
            int from = (int) Math.min(offset, bytes.length);
            return new AgentFiles.Chunk(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + length)), offset);
        }, SANDBOX, AGENT);
    }

    @Test
    void aFetchFailureGetsTheFetchersReasonAndTheFix() throws Exception {
        assertEquals(FETCH_FAILED + "; the fetcher said: Failed to fetch 'http://10.0.0.5:8080/s3cr3t/ctx.tar.gz': "
                + "Error downloading resource: Couldn't connect to server. To fix: the agent cannot reach "
                + "10.0.0.5:8080: let the agents reach that address (a firewall, or the address the Maven machine "
                + "advertises), or stage where they can read (<stagingUri>)",
                sandboxWithStderr("I1204 20:50:00.000100 4242 fetcher.cpp:400] Fetching URIs\n" + FETCHER_LINE)
                        .explained(FETCH_FAILED));
    }

    @Test
    void onlyTheEndOfALargeStderrIsRead() throws Exception {
        String stderr = "x".repeat(100_000) + "\n" + FETCHER_LINE;
        int size = stderr.getBytes(StandardCharsets.UTF_8).length;

        assertTrue(sandboxWithStderr(stderr).explained(FETCH_FAILED).contains("; the fetcher said: Failed to fetch "
                + "'http://10.0.0.5:8080/s3cr3t/ctx.tar.gz'"));
        assertEquals(List.of("stderr@-1+0", "stderr@" + (size - AgentFiles.MAX_READ) + "+" + AgentFiles.MAX_READ),
                reads);
    }

    @Test
    void otherMessagesAreLeftAsTheyAreWithoutReadingTheSandbox() throws Exception {
        AttemptSandbox sandbox = sandboxWithStderr(FETCHER_LINE);

        assertEquals("Executor terminated", sandbox.explained("Executor terminated"));
        assertEquals(null, sandbox.explained(null));
        assertEquals(List.of(), reads);
    }

    @Test
    void aFetchFailureWithoutTheFetchersLineIsLeftAsItIs() throws Exception {
        assertEquals(FETCH_FAILED, sandboxWithStderr("I1204 20:50:00.000100 4242 fetcher.cpp:400] Fetching URIs\n")
                .explained(FETCH_FAILED));
    }

    @Test
    void anUnreadableStderrIsSaidSo() throws Exception {
        AttemptSandbox sandbox = new AttemptSandbox((file, offset, length) -> {
            throw new IOException("HTTP 404 from the agent");
        }, SANDBOX, AGENT);

        assertEquals(FETCH_FAILED + " (the fetcher's reason, in the sandbox's stderr, could not be read: HTTP 404 from "
                + "the agent)", sandbox.explained(FETCH_FAILED));
    }

    @Test
    void theStdoutLogIsTheExecutorsFileUnderTheVirtualSandboxPath() {
        URL url = URL.newBuilder().setScheme("http").setPath("/slave(1)")
                .setAddress(Address.newBuilder().setHostname("agent-1.example").setIp("10.0.0.7").setPort(5051))
                .build();
        AttemptSandbox sandbox = AttemptSandbox.on(url, "F1", "E1", HttpClient::newHttpClient, Duration.ofSeconds(5),
                null);

        assertEquals("/frameworks/F1/executors/E1/runs/latest/stdout on http://agent-1.example:5051",
                sandbox.logWhere());
        assertEquals("/frameworks/F1/executors/E1/runs/latest/stdout on http://10.0.0.7:5051",
                AttemptSandbox.on(url.toBuilder().setAddress(url.getAddress().toBuilder().clearHostname()).build(),
                        "F1", "E1", HttpClient::newHttpClient, Duration.ofSeconds(5), null).logWhere());
    }

    @Test
    void aTaskOfAnExecutorOfSeveralTasksIsReadBackFromItsOwnFile() throws Exception {
        URL url = URL.newBuilder().setScheme("http").setPath("/slave(1)")
                .setAddress(Address.newBuilder().setHostname("agent-1.example").setPort(5051)).build();
        AttemptSandbox sandbox = AttemptSandbox.on(url, "F1", "E1", ExecutorStdout.taskFile("T1"),
                HttpClient::newHttpClient, Duration.ofSeconds(5), null);
        assertEquals("/frameworks/F1/executors/E1/runs/latest/tasks/T1/stdout on http://agent-1.example:5051",
                sandbox.logWhere());

        java.util.List<String> read = new java.util.ArrayList<>();
        AttemptSandbox files = new AttemptSandbox((file, offset, length) -> {
            read.add(file);
            throw new IOException("HTTP 404 from the agent");
        }, SANDBOX, AGENT, ExecutorStdout.taskFile("T1"));
        assertThrows(IOException.class, () -> files.log().lines(0, 1));
        assertEquals(java.util.List.of("tasks/T1/stdout"), read);
    }
}
