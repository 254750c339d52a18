package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portainer.executor.auth.CredentialsFetch;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ImageBuild;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.CredentialsRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DockerImageBuildsTest {
    /**
     * An executor of several tasks makes each build on its event loop: the credentials' GET to the Maven JVM, which may
     * take as long as its timeouts, must not hold that loop. It runs when the build does, and its failure is the
     * build's, in the words the task's failure had before.
     */
    @Test
    void theCredentialsAreFetchedWhenTheBuildRunsNotWhenItIsMade(@TempDir Path sandbox) throws Exception {
        HttpServer slow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        slow.createContext("/", exchange -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        slow.start();
        try {
            BuildSpec spec = BuildSpec.of("127.0.0.1:5000/app", List.of("1"), "Dockerfile", "context.tar", true, null)
                    .withCredentials(new CredentialsRef("http://127.0.0.1:" + slow.getAddress().getPort()
                            + "/secret-1", null, "a2V5"));
            long start = System.nanoTime();

            ImageBuild build = new DockerImageBuilds(null, CredentialsFetch.standard()).create(spec, sandbox,
                    sandbox.resolve("context.tar"));

            long madeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(madeMillis < 1000, "made in " + madeMillis + " ms: it waited for the GET");
            ImageBuildException e = assertThrows(ImageBuildException.class, () -> build.run(new BuildLog() {
                @Override
                public void line(String line) {
                }
            }));
            assertTrue(e.getMessage().startsWith("Cannot prepare the build: Cannot fetch the registry credentials "
                    + "from the Maven JVM: HTTP 404"), e.getMessage());
        } finally {
            slow.stop(0);
        }
    }
}
