package dev.portainer.core.scheduler;

import dev.portainer.wire.auth.Secret;
import dev.portainer.core.mesos.AgentFiles;
import dev.portainer.wire.ExecutorStdout;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.mesos.v1.Protos.URL;

/**
 * One attempt's sandbox on its agent, read through the agent's {@code /files/read}: the executor's stdout, to read
 * back log lines lost in transit, and the fetcher's stderr, to say why the agent could not fetch the task's files.
 */
final class AttemptSandbox {
    /** Reads a file of the sandbox, its path relative to the sandbox; {@link AgentFiles#read} in production. */
    @FunctionalInterface
    interface Files {
        AgentFiles.Chunk read(String file, long offset, int length) throws IOException, InterruptedException;
    }

    private final Files files;
    private final String sandbox;
    private final URI agent;
    private final String logFile;

    /**
     * @param sandbox the sandbox's path on the agent, for messages
     * @param agent   the agent's root URI, for messages
     * @param logFile the file of the sandbox with the attempt's build log: {@link ExecutorStdout#FILE}, or
     *                {@link ExecutorStdout#taskFile} for a task of an executor of several tasks
     */
    AttemptSandbox(Files files, String sandbox, URI agent, String logFile) {
        this.files = files;
        this.sandbox = sandbox;
        this.agent = agent;
        this.logFile = logFile;
    }

    /** An attempt whose executor's stdout is its build log. */
    AttemptSandbox(Files files, String sandbox, URI agent) {
        this(files, sandbox, agent, ExecutorStdout.FILE);
    }

    /**
     * The sandbox of executor {@code executorId} of framework {@code frameworkId} on the agent at {@code url}.
     *
     * @param http          the client to read with, asked for on each read (the run makes one on the first)
     * @param authorization the framework's credential, for an agent with {@code --authenticate_http_readonly} (the
     *                      embedded one does whenever its master does); null for none
     */
    static AttemptSandbox on(URL url, String frameworkId, String executorId, Supplier<HttpClient> http,
                             Duration timeout, Secret authorization) {
        return on(url, frameworkId, executorId, ExecutorStdout.FILE, http, timeout, authorization);
    }

    /** Like {@link #on(URL, String, String, Supplier, Duration, Secret)}, with the build log in {@code logFile}. */
    static AttemptSandbox on(URL url, String frameworkId, String executorId, String logFile,
                             Supplier<HttpClient> http, Duration timeout, Secret authorization) {
        URI root = AgentFiles.agentRoot(url.getScheme(), url.getAddress().hasHostname()
                ? url.getAddress().getHostname() : url.getAddress().getIp(), url.getAddress().getPort());
        // The virtual path works on any agent whatever its work directory, and for as long as the sandbox exists.
        String sandbox = AgentFiles.sandboxPath(frameworkId, executorId);
        return new AttemptSandbox((file, offset, length) -> new AgentFiles(http.get(), root, timeout, authorization)
                .read(sandbox + "/" + file, offset, length), sandbox, root, logFile);
    }

    /** The file with the attempt's build log: the executor's stdout, or the task's own one of a shared executor. */
    SandboxLog log() {
        return new SandboxLog((offset, length) -> files.read(logFile, offset, length), logWhere());
    }

    /** Where {@link #log()} is, for messages: its path on the agent. */
    String logWhere() {
        return sandbox + "/" + logFile + " on " + agent;
    }

    /**
     * The status message, with the fetcher's own reason when it is the agent's bare "Failed to fetch all URIs …:
     * exited with status 1": that reason is only in the sandbox's stderr, and without it nobody knows what to fix.
     */
    String explained(String statusMessage) throws InterruptedException {
        if (!FetchFailure.isFetchFailure(statusMessage)) {
            return statusMessage;
        }
        try {
            long size = files.read(FetchFailure.STDERR, -1, 0).offset();
            long from = Math.max(0, size - AgentFiles.MAX_READ);
            String stderr = new String(files.read(FetchFailure.STDERR, from, AgentFiles.MAX_READ).data(),
                    StandardCharsets.UTF_8);
            String said = FetchFailure.fetcherSaid(stderr);
            if (said == null) {
                return statusMessage;
            }
            String fix = FetchFailure.fix(said);
            return statusMessage + "; the fetcher said: " + said + (fix.isEmpty() ? "" : ". To fix: " + fix);
        } catch (IOException e) {
            return statusMessage + " (the fetcher's reason, in the sandbox's stderr, could not be read: "
                    + e.getMessage() + ")";
        }
    }
}
