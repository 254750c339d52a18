package dev.portainer.core.scheduler;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portainer.wire.mesos.MesosMediaTypes;
import dev.portainer.core.mesos.MesosProtobuf;
import dev.portainer.wire.mesos.RecordIo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.URL;
import org.apache.mesos.v1.Protos.Address;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A Mesos master on loopback that answers the v1 scheduler API the way the recorded transcripts show (protobuf
 * instead of JSON): SUBSCRIBE gets a chunked RecordIO stream with a Mesos-Stream-Id header and SUBSCRIBED first;
 * other calls get 202 unless a test scripts another answer. Every call is recorded with its stream-id header.
 */
public final class FakeMesosMaster implements AutoCloseable {
    public static final String FRAMEWORK_ID = "68d1f885-47da-489f-963e-6b5c37214d2d-0000";
    public static final String AGENT_ID = "68d1f885-47da-489f-963e-6b5c37214d2d-S0";

    /** A received call and the Mesos-Stream-Id header it carried (null if none). */
    public record Received(Call call, String streamId, String contentType, String accept) {
    }

    /** What to answer a call: a status and a plain-text body, plus an optional Location. */
    public record Answer(int status, String body, String location) {
        public static final Answer ACCEPTED = new Answer(202, "", null);

        public static Answer text(int status, String body) {
            return new Answer(status, body, null);
        }
    }

    static {
        // Before any test builds a Mesos message (OfferMatcherTest uses our builders first).
        MesosProtobuf.acceptPre22Gencode();
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<Received> calls = new LinkedBlockingQueue<>();
    private final List<Received> all = new CopyOnWriteArrayList<>();
    private final List<OutputStream> streams = new CopyOnWriteArrayList<>();
    private volatile OutputStream stream;
    private volatile int subscriptions;
    public volatile double heartbeatSeconds = 15;
    /** Scripts the answer to a non-SUBSCRIBE call (default 202); called before the call is recorded. */
    public volatile Function<Call, Answer> answers = call -> Answer.ACCEPTED;
    /** Scripts the answer to SUBSCRIBE; null means the normal stream. */
    public volatile Function<Call, Answer> subscribeAnswer = call -> null;

    public FakeMesosMaster() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/scheduler", this::handle);
        server.createContext("/master/api/v1/scheduler", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String streamId() {
        return "stream-" + subscriptions;
    }

    public int subscriptions() {
        return subscriptions;
    }

    /** The next call received (SUBSCRIBE included), waiting up to 5 s. */
    public Received nextCall() throws InterruptedException {
        Received r = calls.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the client made no further call; calls so far: " + types());
        }
        return r;
    }

    /** The next call of this type, skipping others. */
    public Received nextCall(Call.Type type) throws InterruptedException {
        while (true) {
            Received r = nextCall();
            if (r.call().getType() == type) {
                return r;
            }
        }
    }

    public List<Received> allCalls() {
        return List.copyOf(all);
    }

    public List<Call.Type> types() {
        return all.stream().map(r -> r.call().getType()).toList();
    }

    /** Waits until the client made a call of this type. */
    public void awaitCall(Call.Type type) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (types().stream().noneMatch(type::equals)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no " + type + " call; calls: " + types());
            }
            Thread.sleep(5);
        }
    }

    /** Sends one event on the current subscription's stream. */
    public void send(Event event) throws IOException {
        OutputStream out = stream;
        if (out == null) {
            throw new IllegalStateException("nobody is subscribed");
        }
        synchronized (out) {
            RecordIo.write(out, event.toByteArray());
        }
    }

    /** Ends the current stream, as a master failover or a network break would. */
    public void dropStream() throws IOException {
        OutputStream out = stream;
        stream = null;
        if (out != null) {
            out.close();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Call call = Call.parseFrom(body);
        Received received = new Received(call, exchange.getRequestHeaders().getFirst(MesosMediaTypes.STREAM_ID),
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Accept"));
        if (call.getType() == Call.Type.SUBSCRIBE) {
            Answer answer = subscribeAnswer.apply(call);
            if (answer != null) {
                record(received);
                respond(exchange, answer);
                return;
            }
            subscribe(exchange, received);
            return;
        }
        record(received);
        respond(exchange, answers.apply(call));
    }

    private void record(Received received) {
        all.add(received);
        calls.add(received);
    }

    private void subscribe(HttpExchange exchange, Received received) throws IOException {
        subscriptions++;
        exchange.getResponseHeaders().add(MesosMediaTypes.STREAM_ID, streamId());
        exchange.getResponseHeaders().add("Content-Type", MesosMediaTypes.PROTOBUF);
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        streams.add(out);
        stream = out;
        // Recorded once the stream is up, so that a test seeing the SUBSCRIBE can send() at once, and before
        // SUBSCRIBED, so that a client that returned from subscribe() finds its SUBSCRIBE recorded.
        record(received);
        send(Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(Event.Subscribed.newBuilder()
                .setFrameworkId(FrameworkID.newBuilder().setValue(FRAMEWORK_ID))
                .setHeartbeatIntervalSeconds(heartbeatSeconds)
                .setMasterInfo(MasterInfo.newBuilder().setId("master").setIp(16777343).setPort(port())
                        .setHostname("127.0.0.1").setVersion("1.11.0")))
                .build());
        // The exchange stays open: the stream is written by send() until dropStream() or close().
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        if (answer.location() != null) {
            exchange.getResponseHeaders().add("Location", answer.location());
        }
        if (!answer.body().isEmpty()) {
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        // Stopped first, so that a client whose stream ends cannot subscribe again to a master on its way out.
        server.stop(0);
        for (OutputStream out : streams) {
            try {
                out.close();
            } catch (IOException e) {
                // Client already gone.
            }
        }
        threads.shutdownNow();
    }

    // Event builders shaped like the recorded stream.

    public static Offer offer(String id, String agent, double cpus, double mem) {
        return offer(id, agent, "*", cpus, mem);
    }

    public static Offer offer(String id, String agent, String role, double cpus, double mem) {
        Resource.AllocationInfo allocation = Resource.AllocationInfo.newBuilder().setRole(role).build();
        return Offer.newBuilder()
                .setId(OfferID.newBuilder().setValue(id))
                .setFrameworkId(FrameworkID.newBuilder().setValue(FRAMEWORK_ID))
                .setAgentId(AgentID.newBuilder().setValue(agent))
                .setHostname("agent-" + agent)
                .setUrl(URL.newBuilder().setScheme("http").setPath("/slave(1)")
                        .setAddress(Address.newBuilder().setHostname("127.0.0.1").setIp("127.0.0.1").setPort(5051)))
                .addResources(Resource.newBuilder().setName("ports").setType(Value.Type.RANGES)
                        .setRanges(Value.Ranges.newBuilder().addRange(Value.Range.newBuilder().setBegin(31000)
                                .setEnd(32000)))
                        .setRole("*").setAllocationInfo(allocation))
                .addResources(scalar("cpus", cpus, allocation))
                .addResources(scalar("mem", mem, allocation))
                .addResources(scalar("disk", 252899, allocation))
                .setAllocationInfo(allocation)
                .build();
    }

    public static Resource scalar(String name, double value, Resource.AllocationInfo allocation) {
        return Resource.newBuilder().setName(name).setType(Value.Type.SCALAR)
                .setScalar(Value.Scalar.newBuilder().setValue(value)).setRole("*").setAllocationInfo(allocation)
                .build();
    }

    public static Event offers(Offer... offers) {
        return Event.newBuilder().setType(Event.Type.OFFERS)
                .setOffers(Event.Offers.newBuilder().addAllOffers(List.of(offers))).build();
    }

    public static Event heartbeat() {
        return Event.newBuilder().setType(Event.Type.HEARTBEAT).build();
    }

    public static ByteString uuidBytes(java.util.UUID uuid) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        b.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return ByteString.copyFrom(b.array());
    }
}
