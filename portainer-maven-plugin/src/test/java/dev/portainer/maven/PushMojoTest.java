package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.ImageRef;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushMojoTest {
    private static final Path FILE = Path.of("target/portainer/app.json");

    private static BuildResult builtOn(String agent) {
        return new BuildResult(ImageRef.parse("127.0.0.1:5000/team/app"), List.of("1.0"), "sha256:1", null, -1, agent);
    }

    @Test
    void onLocalAnImageOfAClusterAgentIsRefusedAtOnceSayingWhereItIs() {
        assertEquals("The image 127.0.0.1:5000/team/app (sha256:1) was built on Mesos agent agent-7.example.com, as "
                + FILE + " records, not by this machine's embedded Mesos (mesosMaster=local): push it with the"
                + " <mesosMaster> (portainer.mesosMaster) of that build, or run portainer:build again here",
                PushMojo.builtElsewhere("local", builtOn("agent-7.example.com"), FILE));
    }

    @Test
    void onLocalWhatTheEmbeddedAgentBuiltAndOnAClusterAnyAgentIsPushed() {
        assertNull(PushMojo.builtElsewhere("local", builtOn(LocalMesosLauncher.AGENT_HOSTNAME), FILE));
        // the cluster's agents decide: the push task waits for that agent's offer
        assertNull(PushMojo.builtElsewhere("master.example.com:5050", builtOn("agent-7.example.com"), FILE));
        assertNull(PushMojo.builtElsewhere("master.example.com:5050", builtOn("127.0.0.1"), FILE));
    }
}
