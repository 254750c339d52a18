package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's attributes, as {@code mesos-agent --attributes} sets them: in every offer and in /state. */
class AgentAttributesTest {

    @Test
    void offersAndStateCarryTheAgentsAttributes() throws Exception {
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(1).memMb(1024).diskMb(100)
                .attributes(Map.of("rack", "us-east-1a", "gen", "3")).build());
             TestScheduler scheduler = new TestScheduler(mesos.masterUri())) {
            scheduler.subscribe("{\"user\":\"" + TestScheduler.USER + "\",\"name\":\"attrs\",\"roles\":[\"*\"],"
                    + "\"capabilities\":[{\"type\":\"MULTI_ROLE\"}]}");
            JsonNode attributes = scheduler.offer(10).path("attributes");

            assertEquals(2, attributes.size(), attributes.toString());
            assertEquals("gen", attributes.get(0).path("name").asText());
            assertEquals("SCALAR", attributes.get(0).path("type").asText());
            assertEquals(3.0, attributes.get(0).at("/scalar/value").asDouble());
            assertEquals("rack", attributes.get(1).path("name").asText());
            assertEquals("TEXT", attributes.get(1).path("type").asText());
            assertEquals("us-east-1a", attributes.get(1).at("/text/value").asText());

            HttpResponse<String> state = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    mesos.masterUri().resolve(URI.create("/state"))).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode slave = new ObjectMapper().readTree(state.body()).path("slaves").get(0);
            assertEquals("us-east-1a", slave.at("/attributes/rack").asText(), slave.toString());
        }
    }
}
