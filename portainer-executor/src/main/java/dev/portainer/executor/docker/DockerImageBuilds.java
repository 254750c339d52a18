package dev.portainer.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.SSLConfig;
import dev.portainer.wire.mesos.PlainHttpOnly;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.portainer.wire.BuildOptions;
import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.BuildSpec;
import dev.portainer.executor.auth.CredentialsFetch;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ImageBuild;
import dev.portainer.executor.build.ImageBuildException;
import dev.portainer.executor.build.ImageBuildResult;
import dev.portainer.executor.build.ImageBuilds;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Makes Docker builds for launched tasks, each with its own client to the daemon the spec names. */
public final class DockerImageBuilds implements ImageBuilds {
    /** Where the daemon listens when neither the spec nor the agent's environment says otherwise. */
    public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

    private final String agentDockerHost;
    private final CredentialsFetch credentials;

    /** @param agentDockerHost the agent's {@code DOCKER_HOST}, or null */
    public DockerImageBuilds(String agentDockerHost) {
        this(agentDockerHost, CredentialsFetch.standard());
    }

    /** @param credentials gets the sealed registry credentials a spec points to */
    public DockerImageBuilds(String agentDockerHost, CredentialsFetch credentials) {
        this.agentDockerHost = agentDockerHost;
        this.credentials = credentials;
    }

    /** The daemon to use: the spec's, else the agent's DOCKER_HOST, else the default socket. */
    public String dockerHostFor(BuildSpec spec) {
        if (spec.dockerHost() != null && !spec.dockerHost().isBlank()) {
            return spec.dockerHost();
        }
        return agentDockerHost != null ? agentDockerHost : DEFAULT_DOCKER_HOST;
    }

    /**
     * {@inheritDoc} The registry credentials are had first when the build runs, on its own thread: a GET to the Maven
     * JVM may take as long as its timeouts, and the executor's loop serves its other tasks meanwhile.
     */
    @Override
    public ImageBuild create(BuildSpec spec, Path sandbox, Path context) {
        if (spec.credentials() == null) {
            return create(spec, sandbox, context, RegistryAuth.NONE);
        }
        return new MadeWhenRun() {
            @Override
            public ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException {
                // Before anything else, whatever the daemon: the one-time secret is used up (or its fetched file
                // deleted) at once.
                RegistryAuth auth;
                try {
                    auth = credentials.open(spec.credentials(), sandbox);
                } catch (RuntimeException e) {
                    throw new ImageBuildException("Cannot prepare the build: " + e.getMessage(), null, e);
                }
                return made(create(spec, sandbox, context, auth)).run(log);
            }
        };
    }

    /** A build whose Docker side is made when it runs; a cancel that comes before is passed on to it. */
    private abstract static class MadeWhenRun implements ImageBuild {
        private volatile ImageBuild inner;
        private volatile boolean cancelled;

        /** {@code build}, now this build's Docker side: cancelled at once if this build was cancelled meanwhile. */
        final <B extends ImageBuild> B made(B build) {
            inner = build;
            if (cancelled) {
                build.cancel();
            }
            return build;
        }

        @Override
        public void cancel() {
            cancelled = true;
            ImageBuild build = inner;
            if (build != null) {
                build.cancel();
            }
        }
    }

    private ImageBuild create(BuildSpec spec, Path sandbox, Path context, RegistryAuth auth) {
        if (spec.ephemeralDaemon() != null) {
            return dockerInDocker(spec, sandbox, context, auth);
        }
        String host = dockerHostFor(spec);
        DockerClient client = connect(host);
        // A push task fetched no context: it pushes what an earlier build left in this daemon.
        DockerImageBuild build = new DockerImageBuild(client, host, spec, spec.pushOnly() ? null : context,
                AuthConfigs.push(auth), AuthConfigs.build(auth));
        return new ImageBuild() {
            @Override
            public ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException {
                try {
                    return build.run(log);
                } finally {
                    closeQuietly(client);
                }
            }

            @Override
            public void cancel() {
                build.cancel();
            }
        };
    }

    /** Starts the executor's own dockerd when the build runs, builds against it and stops it afterwards. */
    private ImageBuild dockerInDocker(BuildSpec spec, Path sandbox, Path context, RegistryAuth auth) {
        return new MadeWhenRun() {
            @Override
            public ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException {
                try (EphemeralDockerd daemon = EphemeralDockerd.start(spec.ephemeralDaemon(), sandbox, log)) {
                    DockerClient client = connect(daemon.host());
                    try {
                        return made(new DockerImageBuild(client, daemon.host(), onHostNetwork(spec), context,
                                AuthConfigs.push(auth), AuthConfigs.build(auth))).run(log);
                    } finally {
                        try {
                            client.close();
                        } catch (IOException ignored) {
                            // the daemon stops next
                        }
                    }
                }
            }
        };
    }

    /** RUN steps of the executor's own daemon have no bridge; unless the user chose a network they use the host's. */
    static BuildSpec onHostNetwork(BuildSpec spec) {
        BuildOptions o = spec.options();
        if (o.network() != null) {
            return spec;
        }
        return spec.with(new BuildOptions(o.buildArgs(), o.target(), o.labels(), o.noCache(), o.pull(), "host",
                o.extraHosts(), o.shmSize(), o.cacheFrom(), o.platform()), spec.ephemeralDaemon());
    }

    private static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // the connection pool is gone either way
        }
    }

    /**
     * Loads and initialises docker-java, its HTTP client and Jackson: pings the daemon the build will most likely use
     * (the agent's), which takes the whole request path once, and reads the daemon's build and push answers the way
     * docker-java reads them. The executor calls this on a background thread at start-up, so that it overlaps the
     * SUBSCRIBE and LAUNCH round trips instead of following them; any failure is left for the real build to report.
     *
     * @param agentDockerHost the agent's {@code DOCKER_HOST}, or null for the default socket
     */
    public static void warmUp(String agentDockerHost) {
        try (DockerClient client = connect(agentDockerHost != null ? agentDockerHost : DEFAULT_DOCKER_HOST)) {
            client.buildImageCmd();
            client.pushImageCmd("portainer-warm-up");
            client.inspectImageCmd("portainer-warm-up");
            // A real request: the first one costs a cold JVM ~0.1 s of docker-java's and Apache's request classes.
            client.pingCmd().exec();
            // And the daemon's answers, read the way docker-java reads them: the first lines of a real build and
            // push no longer pay for Jackson's deserializers (measured: build +0.07 s, push +0.04 s over docker).
            com.fasterxml.jackson.databind.ObjectMapper json = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .build().getObjectMapper();
            json.readValue("{\"stream\":\"Step 1/2 : FROM scratch\\n\"}", BuildResponseItem.class);
            json.readValue("{\"aux\":{\"ID\":\"sha256:0\"}}", BuildResponseItem.class);
            json.readValue("{\"status\":\"Pushing\",\"progressDetail\":{\"current\":1,\"total\":2},"
                    + "\"id\":\"0\"}", PushResponseItem.class);
            json.readValue("{\"Id\":\"sha256:0\",\"Size\":1,\"Config\":{},\"RootFS\":{}}",
                    InspectImageResponse.class);
            json.readValue("{\"progressDetail\":{},\"aux\":{\"Tag\":\"1\",\"Digest\":\"sha256:0\",\"Size\":1}}",
                    PushResponseItem.class);
        } catch (IOException | RuntimeException ignored) {
            // a warm-up only: the build creates its own client and reports what goes wrong
        }
    }

    /**
     * A docker-java client for {@code dockerHost}. The API version is deliberately not pinned: docker-java then
     * speaks the daemon's own version (20.10 is API 1.41).
     */
    public static DockerClient connect(String dockerHost) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        SSLConfig ssl = config.getSSLConfig();
        if (ssl == null && "unix".equals(config.getDockerHost().getScheme())) {
            // A Unix socket never speaks TLS, but docker-java's client sets up the JVM's default TLS context when
            // given none (~0.1 s of a cold executor's CPU, on the way to the first Docker line). Only for unix://:
            // with tcp://, any SSLConfig would make docker-java speak https.
            ssl = PlainHttpOnly::context;
        }
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(ssl)
                .connectionTimeout(Duration.ofSeconds(30))
                // No response timeout: a build's RUN step may stay silent for a long time.
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
