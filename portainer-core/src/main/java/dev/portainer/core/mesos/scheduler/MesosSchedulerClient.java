package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.portainer.core.mesos.MesosHttpException;
import dev.portainer.wire.mesos.MesosMediaTypes;
import dev.portainer.core.mesos.MesosProtobuf;
import dev.portainer.core.mesos.MesosRedirects;
import dev.portainer.wire.mesos.RecordIo;
import dev.portainer.core.scheduler.ClusterException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A client of the Mesos v1 scheduler HTTP API (protobuf encoding): one subscription, kept across lost connections, plus
 * the calls a framework makes.
 *
 * <p>Shaped like Mesos's own scheduler library (src/scheduler/scheduler.cpp). The connection is a state machine,
 * DISCONNECTED → SUBSCRIBING → SUBSCRIBED (→ CLOSED), owned by one event thread that takes every input from one queue
 * and handles it in one place: what a connection reports (its stream opened, an event, its end), the caller's close
 * and teardown, and its own two timers, the heartbeat watchdog and the next re-subscription. (Mesos's CONNECTED, its
 * connections open before SUBSCRIBE is sent, has no counterpart: the JDK's client connects as part of sending it.)
 * Each connection is read by a thread of its own that does only the blocking work (asking the detector for the leader,
 * SUBSCRIBE, reading the RecordIO stream) and queues what it saw, tagged with the connection's generation; whatever a
 * connection the event thread has given up on still reports is dropped. Calls (ACCEPT, KILL...) are made on the
 * caller's thread, to the stream the event thread publishes, without locks.
 *
 * <p>A broken stream, a silent master (no event for 5 heartbeat intervals), a 503 or a connect error lead back to
 * DISCONNECTED and a re-SUBSCRIBE with the same framework id after a capped exponential backoff, for at most the
 * failover timeout (the last attempt at its deadline); after that the master has forgotten the framework anyway and
 * the client gives up. An ERROR event ends it for good.
 */
public final class MesosSchedulerClient implements AutoCloseable {
    /** The connection's state. */
    public enum State { DISCONNECTED, SUBSCRIBING, SUBSCRIBED, CLOSED }

    /** Receives what happens to the subscription, always on the client's event thread, in stream order. */
    public interface Listener {
        /** Every event of the stream, SUBSCRIBED and HEARTBEAT included (a re-subscription sends SUBSCRIBED again). */
        void onEvent(Event event);

        /** The stream was lost; the client is about to re-subscribe. */
        void onDisconnected(String reason);

        /** The client stopped for good: null after {@link #close()}, else why it gave up. Called once. */
        void onClosed(ClusterException failure);
    }

    /** What the client needs to subscribe and to stay subscribed, and all it reads of its configuration. */
    public interface Settings {
        /** The master to subscribe to first; one that does not lead redirects to the leader. */
        MesosMaster master();

        /** The FrameworkInfo of a first SUBSCRIBE (no id yet). */
        FrameworkInfo frameworkInfo();

        /** How long the master keeps the framework after losing us, and so how long we try to re-subscribe. */
        Duration failoverTimeout();

        /** Waits between re-subscription attempts. */
        Backoff backoff();

        /** Sent as HTTP Basic on every call; null for none. */
        MesosCredential credential();

        /** The TLS set-up for {@code https://} masters; null for the JVM's default trust store. */
        javax.net.ssl.SSLContext sslContext();

        /** Asked for the leader again after a lost connection; null: {@link #master()} is asked, and redirects. */
        MasterDetector detector();
    }

    /** Mesos's default; used until SUBSCRIBED tells the real one. */
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    /** A missed heartbeat or two happens under load; five means the connection is gone. */
    static final int MISSED_HEARTBEATS = 5;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** The event thread wakes at least this often, so that a test's fixed clock cannot stall it. */
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(1);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /**
     * What other threads may read, replaced (never changed) by the event thread: the state, the leader, and where and
     * as whom calls go: the stream the master last answered SUBSCRIBED on (all three null until then).
     */
    private record Published(State state, URI leader, URI callsTo, String streamId, FrameworkID frameworkId) {
    }

    // The event thread's inputs.
    private sealed interface Input {
    }

    private enum Command implements Input { CLOSE, TEARING_DOWN }

    /** What a connection reports; only the current generation's reports count. */
    private sealed interface Report extends Input {
        int generation();
    }

    private record Opened(int generation, URI endpoint, String streamId) implements Report {
    }

    private record Received(int generation, Event event) implements Report {
    }

    private record LeaderUnknown(int generation, String reason) implements Report {
    }

    /** The stream ended (failure null) or could not be opened. */
    private record Ended(int generation, Exception failure) implements Report {
    }

    private final Settings config;
    private final Clock clock;
    private final HttpClient http;
    private final BlockingQueue<Input> inputs = new LinkedBlockingQueue<>();
    private final Thread eventThread = daemon(this::run, "portainer-mesos-scheduler");
    /** Set by whichever comes first, subscribe() (which starts the event thread) or close(). */
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** Completed by the event thread at the first SUBSCRIBED, or when it stops before. */
    private final CompletableFuture<FrameworkID> firstSubscription = new CompletableFuture<>();
    private volatile Published published;

    // Owned by the event thread (listener is set before it starts).
    private Listener listener;
    private State state = State.DISCONNECTED;
    private URI leader;
    /** The stream of the last SUBSCRIBED, where calls go. */
    private URI callsTo;
    private String callsStreamId;
    private FrameworkID frameworkId;
    /** How long the stream may stay silent: 5 heartbeat intervals. */
    private Duration silenceLimit = missedHeartbeats(DEFAULT_HEARTBEAT);
    private int generation;
    /** The connection being made or read, or null while waiting to retry. */
    private Connection connection;
    /** The Mesos-Stream-Id of the stream opened last. */
    private String streamId;
    /** When the open stream last said something; null while no stream is open. */
    private Instant lastEventAt;
    /** When to subscribe again; null unless DISCONNECTED. */
    private Instant retryAt;
    /** Re-subscriptions since the last SUBSCRIBED, for the backoff. */
    private int attempt;
    /** When the master was first missed; the failover timeout runs from then. */
    private Instant troubleSince;
    /** TEARDOWN is on its way: the stream ending (the master ends it) is then the end, not a connection lost. */
    private boolean tearingDown;
    private boolean ended;
    private ClusterException failure;

    public MesosSchedulerClient(Settings config, Clock clock) {
        MesosProtobuf.acceptPre22Gencode();
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leader = config.master().schedulerEndpoint();
        this.http = httpClient(config.sslContext());
        publish();
    }

    /**
     * HTTP/1.1 only: libprocess does not speak HTTP/2 and an h2c upgrade attempt on a POST only adds risk. Redirects
     * by hand, because the leader has to be remembered for the calls.
     *
     * @param ssl the TLS context, or null for the JVM's default
     */
    private static HttpClient httpClient(javax.net.ssl.SSLContext ssl) {
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT);
        if (ssl != null) {
            http.sslContext(ssl);
        }
        return http.build();
    }

    /**
     * Loads what a first SUBSCRIBE to the embedded master needs (the JDK's HTTP client without TLS, a request, the
     * scheduler's protobuf messages), so that a thread can do it while the master starts. Sends nothing; never throws.
     */
    public static void warmUp() {
        try {
            MesosProtobuf.acceptPre22Gencode();
            httpClient(dev.portainer.wire.mesos.PlainHttpOnly.context());
            byte[] call = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
                    .setFrameworkInfo(FrameworkInfo.newBuilder().setUser("u").setName("n"))).build().toByteArray();
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:5050/api/v1/scheduler")).timeout(CALL_TIMEOUT)
                    .header("Content-Type", MesosMediaTypes.PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(call))
                    .build();
            Event.parseFrom(Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(Event.Subscribed
                    .newBuilder().setFrameworkId(FrameworkID.newBuilder().setValue("f"))).build().toByteArray());
        } catch (IOException | RuntimeException | LinkageError e) {
            // a warm-up only
        }
    }

    /**
     * Subscribes and returns once the master answered SUBSCRIBED; from then on events go to the listener.
     *
     * @throws MasterUnreachableException the master cannot be connected to at all
     * @throws ClusterException           the master refused the subscription (its text is in the message), no
     *                                    leader could be found within the failover timeout, or the client was closed
     */
    public FrameworkID subscribe(Listener listener) throws ClusterException, InterruptedException {
        Objects.requireNonNull(listener, "listener");
        if (!claimed.compareAndSet(false, true)) {
            if (eventThread.getState() == Thread.State.NEW) {
                throw new ClusterException("The Mesos scheduler client was closed");
            }
            throw new IllegalStateException("subscribe() may only be called once");
        }
        this.listener = listener;
        eventThread.start();
        try {
            return firstSubscription.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClusterException cause) {
                throw cause;
            }
            throw new ClusterException("Subscribing to the Mesos master failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            close();
            throw e;
        }
    }

    public State state() {
        return published.state();
    }

    /** The framework id the master gave us, once subscribed. */
    public Optional<FrameworkID> frameworkId() {
        return Optional.ofNullable(published.frameworkId());
    }

    /** The scheduler endpoint currently believed to be the leading master's. */
    public URI leader() {
        return published.leader();
    }

    /** Launches (or otherwise operates on) offers; refuseSeconds filters the unused rest of them. */
    public void accept(List<OfferID> offerIds, List<Offer.Operation> operations, double refuseSeconds)
            throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.ACCEPT).setAccept(Call.Accept.newBuilder()
                .addAllOfferIds(offerIds)
                .addAllOperations(operations)
                .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds))));
    }

    /** Declines offers and asks not to see these agents' resources again for refuseSeconds. */
    public void decline(List<OfferID> offerIds, double refuseSeconds) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.DECLINE).setDecline(Call.Decline.newBuilder()
                .addAllOfferIds(offerIds)
                .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds))));
    }

    /** Acknowledges a status update that carried a uuid (updates without one must not be acknowledged). */
    public void acknowledge(AgentID agentId, TaskID taskId, ByteString uuid) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.ACKNOWLEDGE).setAcknowledge(Call.Acknowledge.newBuilder()
                .setAgentId(agentId).setTaskId(taskId).setUuid(uuid)));
    }

    /** Asks the agent to kill a task; the outcome arrives as an UPDATE event. */
    public void kill(TaskID taskId, AgentID agentId) throws IOException, InterruptedException {
        Call.Kill.Builder kill = Call.Kill.newBuilder().setTaskId(taskId);
        if (agentId != null) {
            kill.setAgentId(agentId);
        }
        send(Call.newBuilder().setType(Call.Type.KILL).setKill(kill));
    }

    /** Asks for the latest state of these tasks (empty: of all our tasks); answers come as UPDATE events. */
    public void reconcile(List<Call.Reconcile.Task> tasks) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder()
                .addAllTasks(tasks)));
    }

    /** Stops offers for all our roles until {@link #revive()}. */
    public void suppress() throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.SUPPRESS));
    }

    /** Asks for offers again and drops the refuse filters set by declines. */
    public void revive() throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.REVIVE));
    }

    /** Sends a best-effort framework message to an executor. */
    public void message(AgentID agentId, ExecutorID executorId, byte[] data) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.MESSAGE).setMessage(Call.Message.newBuilder()
                .setAgentId(agentId).setExecutorId(executorId).setData(ByteString.copyFrom(data))));
    }

    /**
     * Removes the framework from Mesos, which kills all its tasks and executors, then closes this client. The master
     * ends the stream after a TEARDOWN; the event thread is told first, so that it does not take that for a lost
     * connection (and re-subscribe the framework).
     */
    public void teardown() throws IOException, InterruptedException {
        inputs.add(Command.TEARING_DOWN);
        try {
            send(Call.newBuilder().setType(Call.Type.TEARDOWN));
        } finally {
            close();
        }
    }

    /**
     * Stops the event thread and the stream without telling the master (the failover timeout then applies). Returns
     * once the event thread has stopped (unless called on it, from a listener), so the client is CLOSED by then.
     */
    @Override
    public void close() {
        if (claimed.compareAndSet(false, true)) {
            // Never subscribed: there is no event thread to stop, and none will start.
            published = new Published(State.CLOSED, leader(), null, null, null);
            return;
        }
        inputs.add(Command.CLOSE);
        if (Thread.currentThread() != eventThread) {
            try {
                eventThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A call on the caller's thread, to the master and stream of the last SUBSCRIBED. */
    private void send(Call.Builder call) throws IOException, InterruptedException {
        Published to = published;
        if (to.frameworkId() == null || to.state() == State.CLOSED && call.getType() != Call.Type.TEARDOWN) {
            throw new IllegalStateException("Cannot send " + call.getType() + ": not subscribed to a Mesos master");
        }
        String what = call.getType().name();
        // Redirected, the call still reaches the leader; the stream breaks then, and the re-subscription finds it.
        HttpResponse<String> response = post(to.callsTo(), what,
                call.setFrameworkId(to.frameworkId()).build().toByteArray(), to.streamId(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw new MesosHttpException(what, response.uri(), response.statusCode(), response.body());
        }
    }

    /**
     * POSTs a call (SUBSCRIBE or any other) and follows non-leading masters' redirects to the leader: they answer 307
     * with a protocol-relative Location. Returns the first answer that is not a redirect; its {@code uri()} is the
     * master that gave it.
     *
     * @param streamId the Mesos-Stream-Id of the subscription, or null for SUBSCRIBE
     */
    private <T> HttpResponse<T> post(URI endpoint, String what, byte[] body, String streamId,
                                     HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        HttpResponse.BodyHandler<T> redirectsDiscarded = info -> MesosRedirects.isRedirect(info.statusCode())
                ? HttpResponse.BodySubscribers.replacing(null) : handler.apply(info);
        URI target = endpoint;
        for (int hops = 0; ; hops++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(target)
                    // Bounds the wait for the response headers only; a stream is watched by heartbeats.
                    .timeout(CALL_TIMEOUT)
                    .header("Content-Type", MesosMediaTypes.PROTOBUF)
                    .header("Accept", MesosMediaTypes.PROTOBUF)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (streamId != null) {
                request.header(MesosMediaTypes.STREAM_ID, streamId);
            }
            if (config.credential() != null) {
                // Mesos checks every call, not only SUBSCRIBE.
                request.header("Authorization", config.credential().authorization());
            }
            HttpResponse<T> response = http.send(request.build(), redirectsDiscarded);
            if (!MesosRedirects.isRedirect(response.statusCode())) {
                return response;
            }
            if (hops >= MesosRedirects.MAX_REDIRECTS) {
                throw new IOException("Mesos masters redirected " + what + " more than " + MesosRedirects.MAX_REDIRECTS
                        + " times, last to " + target);
            }
            target = MesosRedirects.target(target, response);
        }
    }

    // ---- the event thread ----

    private void run() {
        try {
            // DISCONNECTED with a retry due now: a close() already queued is seen before anything is sent.
            retryAt = clock.instant();
            while (!ended) {
                Input input = inputs.poll(nanosUntilNextTimer(), TimeUnit.NANOSECONDS);
                if (input != null) {
                    handle(input);
                }
                if (!ended) {
                    onTimers(clock.instant());
                }
            }
        } catch (InterruptedException e) {
            // Nobody but the JVM interrupts this thread: take it as a close.
            end(null);
        } catch (RuntimeException | Error e) {
            end(new ClusterException("The Mesos scheduler client failed unexpectedly: " + e, e));
        } finally {
            abandonConnection();
            state = State.CLOSED;
            publish();
            firstSubscription.completeExceptionally(failure != null ? failure
                    : new ClusterException("The Mesos scheduler client was closed"));
            try {
                listener.onClosed(failure);
            } catch (RuntimeException e) {
                // The listener is going away with us; nothing left to tell.
            }
        }
    }

    /** Every input is handled here, one at a time. */
    private void handle(Input input) {
        if (input instanceof Report report) {
            if (connection != null && report.generation() == generation) {
                onReport(report);
            }
            // else from a connection given up on: it says nothing about the current one
        } else if (input == Command.CLOSE) {
            end(null);
        } else if (input == Command.TEARING_DOWN) {
            tearingDown = true;
        }
    }

    /** What the current connection saw. (Tested in order of frequency: a check loads its class the first time.) */
    private void onReport(Report report) {
        if (report instanceof Received r) {
            lastEventAt = clock.instant();
            onEvent(r.event());
        } else if (report instanceof Opened o) {
            leader = o.endpoint();
            streamId = o.streamId();
            lastEventAt = clock.instant();
            publish();
        } else if (report instanceof Ended e) {
            connection = null;
            lastEventAt = null;
            onEnded(e.failure());
        } else if (report instanceof LeaderUnknown l) {
            // The previous leader is tried again.
            listener.onDisconnected(l.reason());
        }
    }

    /** The client's own bookkeeping of an event, then the listener's turn. */
    private void onEvent(Event event) {
        switch (event.getType()) {
            case SUBSCRIBED -> {
                Event.Subscribed subscribed = event.getSubscribed();
                frameworkId = subscribed.getFrameworkId();
                if (subscribed.hasHeartbeatIntervalSeconds() && subscribed.getHeartbeatIntervalSeconds() > 0) {
                    silenceLimit = missedHeartbeats(Duration.ofNanos((long) (subscribed.getHeartbeatIntervalSeconds()
                            * 1e9)));
                }
                callsTo = leader;
                callsStreamId = streamId;
                state = State.SUBSCRIBED;
                attempt = 0;
                troubleSince = null;
                publish();
                firstSubscription.complete(frameworkId);
            }
            case ERROR -> {
                // The master has removed the framework: re-subscribing is pointless.
                listener.onEvent(event);
                end(new ClusterException("The Mesos master ended the subscription of framework "
                        + (frameworkId == null ? "(not yet subscribed)" : frameworkId.getValue()) + ": "
                        + event.getError().getMessage()));
                return;
            }
            default -> {
                // Everything else is the listener's business.
            }
        }
        listener.onEvent(event);
    }

    /** The current connection could not subscribe, or its stream ended: give up, or re-subscribe later. */
    private void onEnded(Exception cause) {
        boolean everSubscribed = frameworkId != null;
        String problem;
        if (cause == null) {
            problem = "the master closed the event stream";
        } else if (cause instanceof MesosHttpException e) {
            if (e.status() == 401) {
                end(new ClusterException(unauthorizedMessage(e), e));
                return;
            }
            if (e.status() != 503) {
                end(new ClusterException("The Mesos master '" + config.master().address()
                        + "' refused to subscribe the framework: HTTP " + e.status() + ": " + e.body().strip(), e));
                return;
            }
            problem = "no leading master (HTTP 503 from " + e.uri() + ")";
        } else if (cause instanceof InvalidProtocolBufferException e) {
            end(new ClusterException("The Mesos master at " + leader + " sent an event that is not a v1 scheduler "
                    + "Event: " + e.getMessage() + "; is it really a Mesos master (1.x)?", e));
            return;
        } else if (cause instanceof javax.net.ssl.SSLException e && !everSubscribed) {
            end(new ClusterException(Message.of("Cannot set up TLS with the Mesos master at ", leader, ": ",
                    describe(e), ". If the master's certificate is signed by a private CA, set ",
                    Setting.MESOS_CA_CERTIFICATE, " to that CA's certificate (PEM); the certificate must also name the"
                    + " host you connect to"), e));
            return;
        } else if (cause instanceof IOException e) {
            if (isConnectFailure(e)) {
                if (!everSubscribed) {
                    end(new MasterUnreachableException(config.master(), leader.toString(), e));
                    return;
                }
                // The remembered leader is gone: ask the configured master who leads now.
                leader = config.master().schedulerEndpoint();
            }
            problem = describe(e);
        } else {
            end(new ClusterException("The Mesos scheduler client failed unexpectedly: " + cause, cause));
            return;
        }
        disconnected(problem);
    }

    /** Lost the master (or never had it): tell the listener, and re-subscribe after a backoff, until the deadline. */
    private void disconnected(String problem) {
        if (tearingDown) {
            // The framework is going away: subscribing again would bring it back.
            end(null);
            return;
        }
        state = State.DISCONNECTED;
        publish();
        if (frameworkId != null) {
            listener.onDisconnected(problem);
        }
        Instant now = clock.instant();
        if (troubleSince == null) {
            troubleSince = now;
        }
        Instant deadline = troubleSince.plus(config.failoverTimeout());
        if (!now.isBefore(deadline)) {
            end(new ClusterException("Lost the Mesos master '" + config.master().address() + "' for longer than the "
                    + "failover timeout (" + config.failoverTimeout().toSeconds() + " s); last problem: " + problem));
            return;
        }
        // The last attempt is made at the deadline, not a whole backoff after it: by then the master has removed
        // the framework, and with a short failover timeout the backoff is a large part of it.
        Instant next = now.plus(config.backoff().delay(attempt++));
        retryAt = next.isAfter(deadline) ? deadline : next;
    }

    private void onTimers(Instant now) {
        if (retryAt != null && !now.isBefore(retryAt)) {
            retryAt = null;
            connect();
            return;
        }
        if (lastEventAt != null && !now.isBefore(lastEventAt.plus(silenceLimit))) {
            abandonConnection();
            disconnected("no event from the master for " + silenceLimit.toMillis() + " ms (" + MISSED_HEARTBEATS
                    + " heartbeat intervals)");
        }
    }

    private long nanosUntilNextTimer() {
        Instant next = retryAt;
        if (lastEventAt != null) {
            Instant silent = lastEventAt.plus(silenceLimit);
            next = next == null || silent.isBefore(next) ? silent : next;
        }
        long longest = LONGEST_WAIT.toNanos();
        if (next == null) {
            return longest;
        }
        return Math.max(0, Math.min(longest, Duration.between(clock.instant(), next).toNanos()));
    }

    private static Duration missedHeartbeats(Duration heartbeat) {
        return Duration.ofNanos(heartbeat.toNanos() * MISSED_HEARTBEATS);
    }

    /**
     * A new connection: SUBSCRIBE (with the framework id once we have one) to the leader, which the detector, if
     * any, is asked for again on every connection after the first.
     */
    private void connect() {
        boolean detect = generation > 0 && config.detector() != null;
        connection = new Connection(++generation, leader, detect, subscribeCall());
        state = State.SUBSCRIBING;
        publish();
        connection.start();
    }

    private Call subscribeCall() {
        FrameworkInfo.Builder info = config.frameworkInfo().toBuilder();
        Call.Builder call = Call.newBuilder().setType(Call.Type.SUBSCRIBE);
        if (frameworkId != null) {
            // Same id again: the master then keeps our task instead of treating us as a new framework.
            info.setId(frameworkId);
            call.setFrameworkId(frameworkId);
        }
        return call.setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(info)).build();
    }

    /** Drops the current connection: its stream is closed, and whatever it still reports is stale. */
    private void abandonConnection() {
        if (connection != null) {
            connection.abandon();
            connection = null;
        }
        lastEventAt = null;
    }

    private void end(ClusterException why) {
        ended = true;
        failure = why;
    }

    private void publish() {
        published = new Published(state, leader, callsTo, callsStreamId, frameworkId);
    }

    private Message unauthorizedMessage(MesosHttpException e) {
        String challenge = e.body().isBlank() ? "" : " (" + e.body().strip() + ")";
        MesosCredential credential = config.credential();
        if (credential == null) {
            return Message.of("The Mesos master '", config.master().address(), "' requires frameworks to"
                    + " authenticate: HTTP 401", challenge, ". Set ", Setting.MESOS_CREDENTIAL);
        }
        return Message.of("The Mesos master '", config.master().address(), "' rejected principal '",
                credential.principal(), "' with the secret from ", credential.source(), ": HTTP 401", challenge,
                ". Check ", Setting.MESOS_CREDENTIAL.named(), " against the master's --credentials");
    }

    /**
     * One connection, read by a thread of its own: asks the detector for the leader (on a re-subscription), sends
     * SUBSCRIBE, and queues the stream's events until it ends. It decides nothing; the event thread does.
     */
    private final class Connection implements Runnable {
        private final int generation;
        private final URI target;
        private final boolean detect;
        private final byte[] subscribe;
        private final Thread reader;
        private volatile InputStream stream;
        private volatile boolean abandoned;

        Connection(int generation, URI target, boolean detect, Call subscribe) {
            this.generation = generation;
            this.target = target;
            this.detect = detect;
            this.subscribe = subscribe.toByteArray();
            this.reader = daemon(this, "portainer-mesos-stream-" + generation);
        }

        void start() {
            reader.start();
        }

        @Override
        public void run() {
            try {
                URI endpoint = target;
                if (detect) {
                    try {
                        // Whatever broke the stream may be a failover, even if the old leader still answers.
                        endpoint = config.detector().leader().schedulerEndpoint();
                    } catch (ClusterException e) {
                        inputs.add(new LeaderUnknown(generation, e.getMessage()));
                    }
                }
                HttpResponse<InputStream> response = post(endpoint, "SUBSCRIBE", subscribe, null,
                        HttpResponse.BodyHandlers.ofInputStream());
                InputStream in = response.body();
                stream = in;
                if (abandoned) {
                    in.close();
                    return;
                }
                try (in) {
                    read(response, in);
                }
                inputs.add(new Ended(generation, null));
            } catch (InterruptedException e) {
                // Abandoned while waiting for the master; nobody listens to this connection any more.
            } catch (IOException | RuntimeException e) {
                inputs.add(new Ended(generation, e));
            }
        }

        private void read(HttpResponse<InputStream> response, InputStream in) throws IOException {
            if (response.statusCode() != 200) {
                throw new MesosHttpException("SUBSCRIBE", response.uri(), response.statusCode(),
                        new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8));
            }
            // No orElseThrow(() -> ...): a lambda costs more to start than an if.
            String id = response.headers().firstValue(MesosMediaTypes.STREAM_ID).orElse(null);
            if (id == null) {
                throw new IOException("The Mesos master's SUBSCRIBE response has no " + MesosMediaTypes.STREAM_ID
                        + " header");
            }
            inputs.add(new Opened(generation, response.uri(), id));
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                inputs.add(new Received(generation, Event.parseFrom(record)));
            }
        }

        /** From the event thread: a blocked read fails at once, a SUBSCRIBE still waiting for its answer is aborted. */
        void abandon() {
            abandoned = true;
            InputStream in = stream;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // Abandoning it anyway.
                }
            }
            reader.interrupt();
        }
    }

    private static boolean isConnectFailure(IOException e) {
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof ConnectException;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        // The Maven JVM must be able to exit even if a stream is stuck.
        t.setDaemon(true);
        return t;
    }
}
