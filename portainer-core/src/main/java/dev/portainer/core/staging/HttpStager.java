package dev.portainer.core.staging;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.wire.GrowingContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves the staged files from the Maven JVM over HTTP, each under an unguessable path, for the length of the
 * build: zero infrastructure, and the Mesos fetcher downloads http:// natively. A shared, content-addressed file (the
 * executor jar: public bits, the plugin's own) is served under {@code /shared/<sha256>/<name>} instead, which on a
 * port given by the user stays the same from build to build, so that the agents' fetcher cache may keep it.
 */
public final class HttpStager implements Stager {
    private static final String SECRET_PREFIX = "secret-";
    private final HttpServer server;
    private final ExecutorService workers;
    /** {@code http://<address>:<port>/}: the shared files are under it. */
    private final String root;
    /** {@link #root} and the build's token: this build's own files are under it. */
    private final String baseUri;
    private final String token;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    /** Shared files by {@code <sha256>/<name>}. */
    private final Map<String, Path> shared = new ConcurrentHashMap<>();
    /** Whether the port was the user's: a shared file's URL is then the same in every build. */
    private final boolean fixedPort;
    /** How many ports from the one asked for are tried when it is taken. */
    static final int PORT_TRIES = 16;
    /** The files of {@link #files} still being written when staged: served as they grow. */
    private final Set<String> growing = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /**
     * One-time secrets by their own unguessable name. The one GET that serves a secret empties its slot atomically
     * (so of two racing GETs exactly one gets it), and the empty slot stays until {@link #close()} so that a later
     * GET is told the secret was served already rather than that it never existed.
     */
    private final Map<String, AtomicReference<byte[]>> secrets = new ConcurrentHashMap<>();
    /** What a GET of a secret already served gets with its 410. */
    public static final String SERVED_ALREADY = "Served once already: a one-time secret is not served again.";
    private final SecureRandom random;

    private HttpStager(HttpServer server, ExecutorService workers, String root, String token, SecureRandom random,
                       boolean fixedPort) {
        this.random = random;
        this.fixedPort = fixedPort;
        this.server = server;
        this.workers = workers;
        this.root = root;
        this.baseUri = root + token + "/";
        this.token = token;
    }

    /**
     * Starts serving on the given address (port 0 = any free port).
     *
     * @param bindAddress the address agents reach this machine on; 127.0.0.1 for the embedded local master
     */
    public static HttpStager start(InetAddress bindAddress, SecureRandom random) throws StagingException {
        return start(bindAddress, 0, random);
    }

    /**
     * Starts serving on {@code port} of the given address, or the next free one of the {@value #PORT_TRIES} from it
     * (another build on this machine may hold it); 0 = any free port.
     */
    public static HttpStager start(InetAddress bindAddress, int port, SecureRandom random) throws StagingException {
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        try {
            HttpServer server = bind(bindAddress, port);
            ExecutorService workers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "portainer-stager");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(workers);
            String host = bindAddress.getHostAddress();
            if (host.contains(":")) {
                host = "[" + host + "]";
            }
            HttpStager stager = new HttpStager(server, workers, "http://" + host + ":" + server.getAddress().getPort()
                    + "/", token, random, port != 0);
            server.createContext("/", stager::handle);
            server.start();
            return stager;
        } catch (IOException e) {
            throw new StagingException(Message.of("Cannot serve the build context from this machine on ",
                    bindAddress.getHostAddress(), ": ", e.getMessage(), "; set ", Setting.STAGING_URI.named(),
                    " to stage on a shared filesystem"), e);
        }
    }

    private static HttpServer bind(InetAddress address, int port) throws IOException, StagingException {
        if (port == 0) {
            return HttpServer.create(new InetSocketAddress(address, 0), 16);
        }
        int last = Math.min(65535, port + PORT_TRIES - 1);
        for (int candidate = port; candidate <= last; candidate++) {
            try {
                return HttpServer.create(new InetSocketAddress(address, candidate), 16);
            } catch (java.net.BindException e) {
                // taken: the next
            }
        }
        throw new StagingException(Message.of("Cannot serve the build context from this machine: ports ", port, " to ",
                last, " on ", address.getHostAddress(), " are all taken; set ", Setting.STAGING_PORT.named(),
                " to another port, or to 0 for any free one"), null);
    }

    /** The port it serves on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public StagedFile stageBuildFile(Path file, String fileName) {
        return serve(file, fileName);
    }

    /** Yes: one GET to this JVM. */
    @Override
    public boolean executorReadsDirectly() {
        return true;
    }

    @Override
    public StagedFile stageSharedFile(Path file, String fileName, String sha256) {
        // Served from this JVM there is nothing to upload. Named by its hash, and on a port of the user's the same URL
        // in every build: the agents' fetcher cache may keep it (it keys its entries by URL).
        requireFile(file);
        if (!sha256.matches("[0-9a-f]{64}") || fileName.contains("/")) {
            throw new IllegalArgumentException("not a content address: " + sha256 + "/" + fileName);
        }
        shared.put(sha256 + "/" + fileName, file);
        return new StagedFile(URI.create(root + "shared/" + sha256 + "/" + fileName), fileName, fixedPort);
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a file: " + file);
        }
    }

    private StagedFile serve(Path file, String fileName) {
        requireFile(file);
        files.put(fileName, file);
        return new StagedFile(URI.create(baseUri + fileName), fileName);
    }

    /**
     * Serves a file still being written as {@code <file>.part} and renamed to {@code file} once whole (a context being
     * packed, see {@code BuildSpec.contextGrowing}): a GET gets what is written so far and then the rest as it comes,
     * chunked; its body ends only once the file is whole, and if the {@code .part} goes without becoming the file (the
     * packing failed or stopped) or this stager closes first, the connection is aborted instead, so that no reader
     * takes a truncated archive for a whole one.
     */
    @Override
    public StagedFile stageGrowingFile(Path file, String fileName) {
        files.put(fileName, file);
        growing.add(fileName);
        return new StagedFile(URI.create(baseUri + fileName), fileName);
    }

    /** Yes: see {@link #stageGrowingFile}. */
    @Override
    public boolean servesWhileWritten() {
        return true;
    }

    /**
     * Serves {@code bytes} exactly once, to the first GET of an unguessable URL of its own, then answers 410 Gone
     * ({@link #SERVED_ALREADY}) and forgets them; {@link #close()} forgets them too. The executor GETs it itself: it is never a fetcher URI, so it
     * never lands in the sandbox.
     */
    @Override
    public StagedSecret stageSecret(byte[] bytes, String fileName) {
        byte[] name = new byte[24];
        random.nextBytes(name);
        String key = SECRET_PREFIX + HexFormat.of().formatHex(name);
        secrets.put(key, new AtomicReference<>(bytes.clone()));
        return new StagedSecret(URI.create(baseUri + key), fileName, false);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (AbortedBody e) {
            // Not closed: closing would end the chunked body as if the file were whole. Thrown out of the handler, the
            // server closes the connection instead, and the reader gets an error, not an end.
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            exchange.close();
            throw e;
        }
        exchange.close();
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String prefix = "/" + token + "/";
        if (path.startsWith(prefix + SECRET_PREFIX)) {
            serveSecretOnce(exchange, path.substring(prefix.length()));
            return;
        }
        Path file = path.startsWith(prefix) ? files.get(path.substring(prefix.length()))
                : path.startsWith("/shared/") ? shared.get(path.substring("/shared/".length())) : null;
        if (file == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().add("Allow", "GET, HEAD");
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        if (path.startsWith(prefix) && growing.contains(path.substring(prefix.length()))) {
            serveGrowing(exchange, file, method.equals("HEAD"));
            return;
        }
        long size = Files.size(file);
        if (method.equals("HEAD")) {
            exchange.getResponseHeaders().add("Content-Length", Long.toString(size));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    /**
     * Sends {@code file} as it is written, see {@link #stageGrowingFile}.
     *
     * @throws AbortedBody if it is not made whole
     */
    private void serveGrowing(HttpExchange exchange, Path file, boolean headOnly) throws IOException {
        // Chunked: the length is known only once the file is whole.
        exchange.sendResponseHeaders(200, headOnly ? -1 : 0);
        if (headOnly) {
            return;
        }
        OutputStream out = exchange.getResponseBody();
        try (GrowingContext in = GrowingContext.open(file, () -> closed)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                // What is written so far goes out now: the reader is building from it.
                out.flush();
            }
        } catch (IOException e) {
            throw new AbortedBody(e);
        }
        out.close();
    }

    /** A body that must not be ended: the connection is closed under it. */
    private static final class AbortedBody extends IOException {
        AbortedBody(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private void serveSecretOnce(HttpExchange exchange, String key) throws IOException {
        // Only a GET consumes the secret: a HEAD or a stray POST must not burn it for the executor.
        AtomicReference<byte[]> slot = exchange.getRequestMethod().equals("GET") ? secrets.get(key) : null;
        if (slot == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        byte[] secret = slot.getAndSet(null);
        if (secret == null) {
            byte[] refusal = SERVED_ALREADY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(410, refusal.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(refusal);
            }
            return;
        }
        try {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, secret.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(secret);
            }
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    @Override
    public void close() {
        closed = true;
        secrets.values().forEach(slot -> {
            byte[] unserved = slot.getAndSet(null);
            if (unserved != null) {
                Arrays.fill(unserved, (byte) 0);
            }
        });
        secrets.clear();
        files.clear();
        shared.clear();
        growing.clear();
        server.stop(0);
        workers.shutdownNow();
    }
}
