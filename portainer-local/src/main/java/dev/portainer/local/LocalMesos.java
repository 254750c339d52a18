package dev.portainer.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.portainer.core.leftovers.Leftovers;
import dev.portainer.local.agent.Agent;
import dev.portainer.local.agent.AgentState;
import dev.portainer.local.agent.ExecutorApi;
import dev.portainer.local.agent.ExecutorTokens;
import dev.portainer.local.agent.FilesApi;
import dev.portainer.local.http.BasicAuthenticator;
import dev.portainer.local.http.BadRequestException;
import dev.portainer.local.http.OnLoop;
import dev.portainer.local.http.QueryString;
import dev.portainer.local.http.Responses;
import dev.portainer.local.master.Master;
import dev.portainer.local.master.MasterState;
import dev.portainer.local.master.SchedulerApi;
import dev.portainer.local.resources.Resources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An embedded single-node Apache Mesos speaking the v1 scheduler and executor HTTP APIs: a master and an agent on
 * two loopback ports, one event loop owning their state. {@code mesosMaster=local}.
 */
public final class LocalMesos implements AutoCloseable {
    /**
     * A temporary work directory's name starts with this and its JVM's pid ({@link Leftovers}): the next start
     * removes those of JVMs killed before they could (their executors end with them, see the agent's environment).
     */
    public static final String TEMPORARY_WORK_DIR = "portainer-local-mesos-";
    /** Replaced by {@link #restartMasterEndpoint}; always on the same port. */
    private volatile HttpServer masterServer;
    private final Map<String, HttpHandler> masterRoutes;
    private final Master master;
    private final HttpServer agentServer;
    private final ScheduledExecutorService loop;
    private final ExecutorService io;
    private final ExecutorService httpThreads;
    private final Agent agent;
    private final Path workDir;
    private final boolean deleteWorkDir;
    private boolean closed;

    private LocalMesos(HttpServer masterServer, Map<String, HttpHandler> masterRoutes, Master master,
                       HttpServer agentServer, ScheduledExecutorService loop,
                       ExecutorService io, ExecutorService httpThreads, Agent agent, Path workDir,
                       boolean deleteWorkDir) {
        this.masterServer = masterServer;
        this.masterRoutes = masterRoutes;
        this.master = master;
        this.agentServer = agentServer;
        this.loop = loop;
        this.io = io;
        this.httpThreads = httpThreads;
        this.agent = agent;
        this.workDir = workDir;
        this.deleteWorkDir = deleteWorkDir;
    }

    /** The realm of the master's read-only endpoints (Mesos's READONLY_HTTP_AUTHENTICATION_REALM on the master). */
    static final String MASTER_READONLY_REALM = "mesos-master-readonly";

    /** Starts the master and the agent; throws UncheckedIOException when a port or the work dir fails. */
    public static LocalMesos start(LocalMesosConfig config) {
        Path workDir;
        boolean temporary = config.workDir() == null;
        Leftovers leftovers = Leftovers.ofThisProcess();
        try {
            workDir = temporary ? Files.createTempDirectory(leftovers.prefix(TEMPORARY_WORK_DIR))
                    : Files.createDirectories(config.workDir());
            workDir = workDir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the local Mesos work directory "
                    + (config.workDir() == null ? "in " + System.getProperty("java.io.tmpdir") : config.workDir())
                    + ": " + e.getMessage(), e);
        }
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(named("portainer-mesos-loop"));
        ExecutorService io = Executors.newCachedThreadPool(named("portainer-mesos-io"));
        ExecutorService httpThreads = Executors.newCachedThreadPool(named("portainer-mesos-http"));
        HttpServer masterServer = null;
        HttpServer agentServer = null;
        try {
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            masterServer = HttpServer.create(loopback, 64);
            agentServer = HttpServer.create(loopback, 64);
            NodeContext ctx = new NodeContext(UUID.randomUUID().toString(), config.hostname(),
                    masterServer.getAddress().getPort(), agentServer.getAddress().getPort(), workDir, config, loop,
                    Clock.systemUTC());
            Resources total = Resources.of(config.cpus(), config.memMb(), config.diskMb(),
                    List.of(new Resources.Range(31000, 32000)));
            Master master = new Master(ctx, total);
            ExecutorTokens executorTokens = ExecutorTokens.withRandomKey(new SecureRandom(), Clock.systemUTC());
            // Made on the first http(s) fetch only: a cold JVM's first HTTP client costs ~0.15 s, and the build's
            // own files come by path.
            Agent agent = new Agent(ctx, master, total, Agent.ExecutorLauncherFactory.standard(System.getenv(),
                    () -> HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                            .connectTimeout(Duration.ofSeconds(30)).build()), io, executorTokens);
            loop.execute(() -> master.attach(agent));

            MasterState masterState = new MasterState(master);
            Map<String, HttpHandler> masterRoutes = new LinkedHashMap<>();
            masterRoutes.put("/api/v1/scheduler", new SchedulerApi(master, loop, config.frameworkCredentials()));
            // With credentials, what anyone could read is closed too, like --authenticate_http_readonly: /state
            // lists the frameworks, tasks and executors' environments a stranger would need to interfere.
            BasicAuthenticator masterReadOnly = new BasicAuthenticator(MASTER_READONLY_REALM,
                    config.frameworkCredentials());
            HttpHandler state = masterReadOnly.guard(json(loop, query -> masterState.state()));
            HttpHandler frameworks = masterReadOnly.guard(json(loop, masterState::frameworksEndpoint));
            HttpHandler tasks = masterReadOnly.guard(json(loop, masterState::tasksEndpoint));
            masterRoutes.put("/state", state);
            masterRoutes.put("/master/state", state);
            masterRoutes.put("/state.json", state);
            masterRoutes.put("/frameworks", frameworks);
            masterRoutes.put("/master/frameworks", frameworks);
            masterRoutes.put("/tasks", tasks);
            masterRoutes.put("/master/tasks", tasks);
            masterRoutes.forEach(masterServer::createContext);

            AgentState agentState = new AgentState(agent);
            agentServer.createContext("/api/v1/executor", new ExecutorApi(agent, loop, executorTokens));
            // Like --authenticate_http_readonly with the framework credentials as --http_credentials: the sandboxes
            // (the packed context, the build log) and the agent's state are for the framework only.
            BasicAuthenticator agentReadOnly = new BasicAuthenticator(Agent.READONLY_REALM,
                    config.frameworkCredentials());
            HttpHandler files = agentReadOnly.guard(new FilesApi(agent::filesPath, agent::isSandboxPath));
            agentServer.createContext("/files/read", files);
            agentServer.createContext("/files/read.json", files);
            HttpHandler agentStateHandler = agentReadOnly.guard(json(loop, query -> agentState.state()));
            agentServer.createContext("/state", agentStateHandler);
            agentServer.createContext("/slave(1)/state", agentStateHandler);
            agentServer.createContext("/state.json", agentStateHandler);

            masterServer.setExecutor(httpThreads);
            agentServer.setExecutor(httpThreads);
            masterServer.start();
            agentServer.start();
            if (temporary) {
                // Off the start-up path; only this user's, only of dead JVMs: another Maven may be running now.
                Path created = workDir;
                io.execute(() -> removeDeadWorkDirs(leftovers, created));
            }
            return new LocalMesos(masterServer, masterRoutes, master, agentServer, loop, io, httpThreads, agent,
                    workDir, temporary);
        } catch (IOException | RuntimeException e) {
            if (masterServer != null) {
                masterServer.stop(0);
            }
            if (agentServer != null) {
                agentServer.stop(0);
            }
            loop.shutdownNow();
            io.shutdownNow();
            httpThreads.shutdownNow();
            if (temporary) {
                deleteTree(workDir);
            }
            throw e instanceof IOException io1 ? new UncheckedIOException("Cannot start the local Mesos: "
                    + io1.getMessage(), io1) : (RuntimeException) e;
        }
    }

    /** The work directories beside {@code created} left by JVMs that are gone, if they are its owner's. */
    private static void removeDeadWorkDirs(Leftovers leftovers, Path created) {
        try {
            leftovers.removeDead(created.getParent(), TEMPORARY_WORK_DIR, Files.getOwner(created));
        } catch (IOException e) {
            // Our own directory went away already (closed): nothing to compare owners with.
        }
    }

    /** A read-only endpoint: {@code body} of the request's query parameters, computed on the loop. */
    private static HttpHandler json(ExecutorService loop, Function<Map<String, String>, String> body) {
        return (HttpExchange exchange) -> {
            exchange.getRequestBody().readAllBytes();
            Map<String, String> query = QueryString.parse(exchange.getRequestURI().getRawQuery());
            try {
                Responses.json(exchange, 200, OnLoop.call(loop, () -> body.apply(query)));
            } catch (BadRequestException e) {
                Responses.text(exchange, e.status(), e.getMessage());
            }
        };
    }

    /** The master's base URI, e.g. {@code http://127.0.0.1:40123}. */
    public URI masterUri() {
        return URI.create("http://127.0.0.1:" + masterServer.getAddress().getPort());
    }

    /** The agent's base URI (executor API, /files/read, /state). */
    /**
     * Starts the executor that the next launch of shell command {@code commandValue} will be, ahead of that launch
     * (see the agent's {@code StandbyExecutor}): {@code command}, with the executor's {@code --standby} argument, in
     * a directory of its own into which {@code file} (the executor jar) is linked. Stopped with the rest if no launch
     * takes it.
     */
    public synchronized void prepareExecutor(String commandValue, List<String> command, Path file) {
        if (!closed) {
            agent.prepareExecutor(commandValue, command, file);
        }
    }

    public URI agentUri() {
        return URI.create("http://127.0.0.1:" + agentServer.getAddress().getPort());
    }

    /** The agent's work directory (sandboxes live under {@code slaves/}). */
    public Path workDir() {
        return workDir;
    }

    /**
     * Fault injection: breaks every scheduler's event stream at once, as a network failure would; the frameworks
     * stay registered for their failover timeout, their tasks keep running.
     */
    public void dropSchedulerStreams() {
        try {
            loop.submit(master::dropStreams).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot drop the scheduler streams: " + e, e);
        }
    }

    /**
     * Fault injection: the master's HTTP endpoint goes away (connections cut, new ones refused) for
     * {@code downtime}, then comes back on the same port with its state, as after a master failover whose new leader
     * recovered the registry. Frameworks that do not re-subscribe within their failover timeout are removed with
     * their tasks, as Mesos does. Blocks for the downtime.
     */
    public synchronized void restartMasterEndpoint(Duration downtime) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        HttpServer old = masterServer;
        InetSocketAddress address = old.getAddress();
        old.stop(0);
        Thread.sleep(downtime.toMillis());
        HttpServer fresh;
        try {
            fresh = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the master again on " + address, e);
        }
        masterRoutes.forEach(fresh::createContext);
        fresh.setExecutor(httpThreads);
        fresh.start();
        masterServer = fresh;
    }

    /** Kills every executor's process tree, stops both servers, deletes a temporary work directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.submit(agent::killAll).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Shutting down regardless: the servers and threads below must stop.
        }
        loop.shutdownNow();
        masterServer.stop(0);
        agentServer.stop(0);
        io.shutdownNow();
        httpThreads.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // A launch that was under way during killAll (Ctrl-C right after the offer) started its process after it.
        agent.killLaunched();
        if (deleteWorkDir) {
            deleteTree(workDir);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the local Mesos work directory " + root, e);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
