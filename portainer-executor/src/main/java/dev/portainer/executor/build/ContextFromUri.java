package dev.portainer.executor.build;

import dev.portainer.wire.BuildSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A build whose context the executor reads itself ({@link BuildSpec#contextUri}), for a task launched on an executor
 * that already runs (Mesos fetches an executor's URIs only when it starts). A {@code file:} URI is read in place; an
 * {@code http:}/{@code https:} URL is fetched with one GET into the task's directory, on the build's own thread (the
 * executor's event loop never waits for it), and deleted once the build ended.
 */
public final class ContextFromUri implements ImageBuild {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Between two reads, not for the whole body: a large context may take minutes over a slow link. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final String uri;
    private final Path context;
    private final ImageBuild build;
    private final boolean growing;
    private volatile HttpURLConnection download;
    private volatile boolean cancelled;

    private ContextFromUri(String uri, boolean growing, Path context, ImageBuild build) {
        this.uri = uri;
        this.growing = growing;
        this.context = context;
        this.build = build;
    }

    /**
     * Where the build reads the context of {@code spec}, whose {@link BuildSpec#contextUri} is set: the file a
     * {@code file:} URI names, else {@link BuildSpec#contextFile} in {@code taskDirectory}.
     *
     * @throws IllegalArgumentException for a {@code file:} URI that names no local path
     */
    public static Path contextPath(BuildSpec spec, Path taskDirectory) {
        String uri = spec.contextUri();
        return uri.startsWith("file:") ? Path.of(URI.create(uri)) : taskDirectory.resolve(spec.contextFile());
    }

    /** {@code build}, reading its context from {@code spec}'s {@link BuildSpec#contextUri} at {@code context} first. */
    public static ImageBuild of(BuildSpec spec, Path context, ImageBuild build) {
        return new ContextFromUri(spec.contextUri(), spec.contextGrowing(), context, build);
    }

    @Override
    public ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException {
        if (uri.startsWith("file:")) {
            // One still being packed is followed as it is written (GrowingContext), from wherever it has got to.
            if (!growing && !Files.isRegularFile(context)) {
                throw new ImageBuildException("The build context " + uri + " is not a file on this agent: the task "
                        + "was launched with a file: URI, which only an agent that shares the scheduler's file system "
                        + "can read", null, null);
            }
            return build.run(log);
        }
        try {
            if (!cancelled) {
                fetch();
            }
            if (cancelled) {
                throw new ImageBuildException("The build was cancelled", null, null);
            }
            return build.run(log);
        } finally {
            try {
                Files.deleteIfExists(context);
            } catch (IOException ignored) {
                // the sandbox goes with the executor
            }
        }
    }

    private void fetch() throws ImageBuildException {
        try {
            Files.createDirectories(context.getParent());
            HttpURLConnection connection = (HttpURLConnection) URI.create(uri).toURL().openConnection(Proxy.NO_PROXY);
            download = connection;
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            connection.setUseCaches(false);
            try {
                int status = connection.getResponseCode();
                if (status != 200) {
                    throw new ImageBuildException("Cannot fetch the build context from " + uri + ": HTTP " + status
                            + " (the scheduler serves it for the length of the build; did the Maven build end?)",
                            null, null);
                }
                try (InputStream in = connection.getInputStream()) {
                    Files.copy(in, context, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                connection.disconnect();
            }
        } catch (IOException | IllegalArgumentException e) {
            if (cancelled) {
                throw new ImageBuildException("The build was cancelled", null, e);
            }
            throw new ImageBuildException("Cannot fetch the build context from " + uri + ": " + e, null, e);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        HttpURLConnection connection = download;
        if (connection != null) {
            connection.disconnect(); // ends a download under way
        }
        build.cancel();
    }
}
