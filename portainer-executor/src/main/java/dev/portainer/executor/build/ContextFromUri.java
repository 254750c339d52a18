package dev.portainer.executor.build;

import dev.portainer.wire.BuildSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * executor's event loop never waits for it), and deleted once the build ended. One still being packed by the
 * scheduler ({@link BuildSpec#contextGrowing}) is downloaded into {@code <contextFile>.part} while the build sends it
 * to Docker as it grows ({@code GrowingContext}), and renamed once its body ended: the build starts with the
 * download, as Docker gets a context from {@code docker build} while the CLI walks the tree.
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
    /** Set once the build ended: a download stopped then is not a failure. */
    private volatile boolean ended;
    private volatile ImageBuildException downloadFailure;

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
        if (growing) {
            return whileDownloaded(log);
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

    /** The build of a context served while it is packed: see the class comment. */
    private ImageBuildResult whileDownloaded(BuildLog log) throws ImageBuildException, InterruptedException {
        Path partial = BuildSpec.partialContextFile(context);
        try {
            Files.createDirectories(context.getParent());
            Files.deleteIfExists(context);
            // There before the build reads: the reader follows it, and its removal without the file is the failure.
            Files.deleteIfExists(partial);
            Files.createFile(partial);
        } catch (IOException e) {
            throw new ImageBuildException("Cannot write the build context to " + partial + ": " + e, null, e);
        }
        Thread downloader = new Thread(() -> download(partial), "context-download");
        downloader.setDaemon(true);
        downloader.start();
        try {
            return build.run(log);
        } catch (ImageBuildException e) {
            ImageBuildException failed = downloadFailure;
            throw failed != null ? failed : e;
        } finally {
            ended = true;
            HttpURLConnection connection = download;
            if (connection != null) {
                connection.disconnect(); // a build that failed early leaves its download under way
            }
            downloader.join();
            deleteQuietly(partial);
            deleteQuietly(context);
        }
    }

    /** Runs on its own thread: the body into {@code partial}, renamed to the context once it ended whole. */
    private void download(Path partial) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(uri).toURL().openConnection(Proxy.NO_PROXY);
            download = connection;
            if (ended || cancelled) {
                return;
            }
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            // None between two reads: the scheduler may still be packing the contexts before this one. A cancel, or
            // the scheduler's end (its connections go with its JVM), ends the wait.
            connection.setReadTimeout(0);
            connection.setUseCaches(false);
            try {
                int status = connection.getResponseCode();
                if (status != 200) {
                    throw new IOException("HTTP " + status + " (the scheduler serves it for the length of the build;"
                            + " did the Maven build end?)");
                }
                try (InputStream in = connection.getInputStream();
                     OutputStream out = Files.newOutputStream(partial)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n); // unbuffered: the build reads what is written at once
                    }
                }
                // Only a body that ended (its last chunk came) is the whole archive; an aborted one throws above.
                Files.move(partial, context, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                connection.disconnect();
            }
        } catch (IOException | IllegalArgumentException e) {
            if (!ended && !cancelled) {
                downloadFailure = new ImageBuildException("Cannot fetch the build context from " + uri + ": " + e,
                        null, e);
                deleteQuietly(partial);
                // The build may be waiting for bytes that will not come.
                build.cancel();
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the sandbox goes with the executor
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
