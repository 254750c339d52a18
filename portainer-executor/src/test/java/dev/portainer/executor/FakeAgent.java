package dev.portainer.executor;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portainer.wire.mesos.RecordIo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.mesos.v1.Protos;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;

/**
 * An agent's {@code /api/v1/executor} on loopback, answering as a real Mesos 1.11 agent does (see the executor-side
 * transcripts): SUBSCRIBE streams RecordIO without a stream id, UPDATE needs a real UUID, calls answer 202.
 */
final class FakeAgent implements AutoCloseable {
    static final String FRAMEWORK = "68d1f885-47da-489f-963e-6b5c37214d2d-0000";
    static final String EXECUTOR = "portainer-executor-1";
    static final String AGENT = "68d1f885-47da-489f-963e-6b5c37214d2d-S0";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Calls not yet taken by {@link #await}. */
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    /** Every call received, in order of arrival. */
    final List<Call> history = new CopyOnWriteArrayList<>();
    /** The events every new subscription gets after SUBSCRIBED (e.g. the LAUNCH). */
    volatile Event afterSubscribed;
    volatile boolean autoAcknowledge = true;
    /** When set, MESSAGE calls are not answered until it opens, as an agent or network that cannot keep up. */
    volatile CountDownLatch messagesHeld;
    /** When set, every call must carry it as {@code Authorization: Bearer}, as with --authenticate_http_executors. */
    volatile String requiredToken;
    /** The Authorization header of every request (null for none), in order of arrival. */
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile OutputStream stream;
    private volatile CountDownLatch streamOpen;

    FakeAgent() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/executor", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String endpoint() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    Map<String, String> environment(Path sandbox) {
        Map<String, String> env = new HashMap<>();
        env.put("MESOS_AGENT_ENDPOINT", endpoint());
        env.put("MESOS_FRAMEWORK_ID", FRAMEWORK);
        env.put("MESOS_EXECUTOR_ID", EXECUTOR);
        env.put("MESOS_SANDBOX", sandbox.toString());
        env.put("MESOS_DIRECTORY", sandbox.toString());
        env.put("MESOS_CHECKPOINT", "0");
        env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5secs");
        return env;
    }

    static Protos.TaskInfo task(String id, byte[] data) {
        return Protos.TaskInfo.newBuilder()
                .setName("portainer build")
                .setTaskId(Protos.TaskID.newBuilder().setValue(id))
                .setAgentId(Protos.AgentID.newBuilder().setValue(AGENT))
                .setData(ByteString.copyFrom(data))
                .build();
    }

    static Event launch(Protos.TaskInfo task) {
        return Event.newBuilder().setType(Event.Type.LAUNCH)
                .setLaunch(Event.Launch.newBuilder().setTask(task)).build();
    }

    static Event kill(String taskId) {
        return Event.newBuilder().setType(Event.Type.KILL)
                .setKill(Event.Kill.newBuilder().setTaskId(Protos.TaskID.newBuilder().setValue(taskId))).build();
    }

    static Event acknowledged(Protos.TaskStatus status) {
        return Event.newBuilder().setType(Event.Type.ACKNOWLEDGED)
                .setAcknowledged(Event.Acknowledged.newBuilder().setTaskId(status.getTaskId()).setUuid(status.getUuid()))
                .build();
    }

    /** Mesos's check: 16 bytes of an RFC 4122 UUID (random bytes are refused, as the transcripts show). */
    static boolean isRealUuid(ByteString bytes) {
        if (bytes.size() != 16) {
            return false;
        }
        ByteBuffer b = bytes.asReadOnlyByteBuffer();
        java.util.UUID uuid = new java.util.UUID(b.getLong(), b.getLong());
        return uuid.variant() == 2 && uuid.version() >= 1 && uuid.version() <= 5;
    }

    /** Waits for the next call that matches, skipping others (all stay in {@link #history}). */
    Call await(Predicate<Call> wanted, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Call call = calls.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (call == null) {
                throw new AssertionError("no matching call from the executor within " + timeout);
            }
            if (wanted.test(call)) {
                return call;
            }
        }
    }

    Call awaitUpdate(Protos.TaskState state) throws InterruptedException {
        return await(c -> c.getType() == Call.Type.UPDATE && c.getUpdate().getStatus().getState() == state,
                Duration.ofSeconds(60));
    }

    synchronized void send(Event event) throws IOException {
        OutputStream out = stream;
        if (out == null) {
            throw new IOException("no executor is subscribed");
        }
        RecordIo.write(out, event.toByteArray());
    }

    /** Ends the current event stream, as an agent restart would. */
    synchronized void dropSubscription() throws IOException {
        OutputStream out = stream;
        stream = null;
        if (out != null) {
            out.close();
        }
        CountDownLatch open = streamOpen;
        if (open != null) {
            open.countDown();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(authorization);
        if (requiredToken != null && !("Bearer " + requiredToken).equals(authorization)) {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"mesos-agent-executor\"");
            reply(exchange, 401, "401 Unauthorized.");
            return;
        }
        if (!"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            reply(exchange, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
            return;
        }
        Call call = Call.parseFrom(exchange.getRequestBody().readAllBytes());
        if (!call.getFrameworkId().getValue().equals(FRAMEWORK) || !call.getExecutorId().getValue().equals(EXECUTOR)) {
            reply(exchange, 400, "Executor is not found");
            return;
        }
        switch (call.getType()) {
            case SUBSCRIBE -> subscribe(exchange, call);
            case UPDATE -> {
                if (!isRealUuid(call.getUpdate().getStatus().getUuid())) {
                    reply(exchange, 400, "Failed to validate Executor::Call: Not a valid UUID");
                    return;
                }
                record(call);
                reply(exchange, 202, "");
                if (autoAcknowledge) {
                    try {
                        send(acknowledged(call.getUpdate().getStatus()));
                    } catch (IOException notSubscribed) {
                        // the executor resends it with its next SUBSCRIBE
                    }
                }
            }
            case MESSAGE -> {
                record(call);
                CountDownLatch held = messagesHeld;
                if (held != null) {
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                reply(exchange, 202, "");
            }
            default -> {
                record(call);
                reply(exchange, 202, "");
            }
        }
    }

    private void subscribe(HttpExchange exchange, Call call) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, 0);
        CountDownLatch open = new CountDownLatch(1);
        synchronized (this) {
            stream = exchange.getResponseBody();
            streamOpen = open;
            send(Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(Event.Subscribed.newBuilder()
                    .setExecutorInfo(Protos.ExecutorInfo.newBuilder()
                            .setExecutorId(Protos.ExecutorID.newBuilder().setValue(EXECUTOR))
                            .setFrameworkId(Protos.FrameworkID.newBuilder().setValue(FRAMEWORK)))
                    .setFrameworkInfo(Protos.FrameworkInfo.newBuilder().setUser("root").setName("portainer"))
                    .setAgentInfo(Protos.AgentInfo.newBuilder().setHostname("127.0.0.1")
                            .setId(Protos.AgentID.newBuilder().setValue(AGENT)))).build());
            record(call);
            if (afterSubscribed != null) {
                send(afterSubscribed);
            }
        }
        try {
            open.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(Call call) {
        history.add(call);
        calls.add(call);
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() throws IOException {
        CountDownLatch held = messagesHeld;
        if (held != null) {
            held.countDown();
        }
        dropSubscription();
        server.stop(0);
        threads.shutdownNow();
    }
}
