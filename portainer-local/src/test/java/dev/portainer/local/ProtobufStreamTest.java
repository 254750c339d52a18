package dev.portainer.local;

import dev.portainer.wire.mesos.RecordIo;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protobuf encoding end to end: SUBSCRIBE, the RecordIO stream of Event protobufs, DECLINE with a filter. */
class ProtobufStreamTest {
    private static final String PROTOBUF = "application/x-protobuf";

    @Test
    void streamsProtobufEventsAndReoffersDeclinedResourcesAfterTheirFilter() throws Exception {
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(1024).diskMb(100)
                .heartbeatInterval(Duration.ofMillis(300)).build())) {
            HttpClient http = HttpClient.newHttpClient();
            Call subscribe = Call.newBuilder().setType(Call.Type.SUBSCRIBE)
                    .setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(
                            FrameworkInfo.newBuilder().setUser("root").setName("protobuf-test")))
                    .build();
            HttpResponse<InputStream> response = http.send(
                    HttpRequest.newBuilder(mesos.masterUri().resolve("/api/v1/scheduler"))
                            .header("Content-Type", PROTOBUF).header("Accept", PROTOBUF)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(subscribe.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertEquals(PROTOBUF, response.headers().firstValue("Content-Type").orElseThrow());
            String streamId = response.headers().firstValue("Mesos-Stream-Id").orElseThrow();
            InputStream stream = response.body();

            Event subscribed = Event.parseFrom(RecordIo.read(stream));
            assertEquals(Event.Type.SUBSCRIBED, subscribed.getType());
            assertEquals(0.3, subscribed.getSubscribed().getHeartbeatIntervalSeconds(), 1e-9);
            FrameworkID frameworkId = subscribed.getSubscribed().getFrameworkId();
            assertTrue(frameworkId.getValue().endsWith("-0000"), frameworkId.getValue());

            Offer first = nextOffer(stream);
            Call decline = Call.newBuilder().setType(Call.Type.DECLINE).setFrameworkId(frameworkId)
                    .setDecline(Call.Decline.newBuilder().addOfferIds(first.getId())
                            .setFilters(Filters.newBuilder().setRefuseSeconds(1)))
                    .build();
            long declinedAt = System.nanoTime();
            HttpResponse<byte[]> declined = http.send(
                    HttpRequest.newBuilder(mesos.masterUri().resolve("/api/v1/scheduler"))
                            .header("Content-Type", PROTOBUF).header("Accept", PROTOBUF)
                            .header("Mesos-Stream-Id", streamId)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(decline.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(202, declined.statusCode());
            assertEquals(0, declined.body().length);

            boolean heartbeatSeen = false;
            Offer second = null;
            while (second == null) {
                Event event = Event.parseFrom(RecordIo.read(stream));
                heartbeatSeen |= event.getType() == Event.Type.HEARTBEAT;
                if (event.getType() == Event.Type.OFFERS) {
                    second = event.getOffers().getOffers(0);
                }
            }
            double waited = (System.nanoTime() - declinedAt) / 1e9;
            assertTrue(waited >= 0.9 && waited < 2.5, "re-offered after " + waited + "s, the filter was 1s");
            assertTrue(heartbeatSeen, "heartbeats every 0.3s");
            assertEquals(first.getResourcesList(), second.getResourcesList());
            assertTrue(!first.getId().equals(second.getId()), "a new offer id");
            stream.close();
        }
    }

    private static Offer nextOffer(InputStream stream) throws Exception {
        while (true) {
            Event event = Event.parseFrom(RecordIo.read(stream));
            if (event.getType() == Event.Type.OFFERS) {
                return event.getOffers().getOffers(0);
            }
        }
    }
}
