package dev.portainer.core.staging;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;

/**
 * What the agents are told to fetch for a staged file: the staged URI itself (their fetcher runs
 * {@code hadoop fs -copyToLocal}), or the file's WebHDFS REST URL ({@code op=OPEN}) so that they need no Hadoop
 * client. WebHDFS URLs name the staging user ({@code user.name}, simple authentication) or, with Kerberos, carry a
 * delegation token that is cancelled when the build ends.
 */
final class FetchUris {
    static final int WEBHDFS_HTTP_PORT = 9870;
    static final int WEBHDFS_HTTPS_PORT = 9871;

    private final URI webBase;
    private final boolean kerberos;
    private Token<?> token;

    private FetchUris(URI webBase, boolean kerberos) {
        this.webBase = webBase;
        this.kerberos = kerberos;
    }

    /**
     * @param mode {@code auto}, {@code hadoop} or an {@code http(s)://host:port} WebHDFS/HttpFS endpoint
     * @param root the qualified staging root
     */
    static FetchUris of(String mode, URI root, Configuration conf) {
        String scheme = root.getScheme().toLowerCase(Locale.ROOT);
        boolean hdfsLike = scheme.equals("hdfs") || scheme.equals("webhdfs") || scheme.equals("swebhdfs");
        boolean kerberos = kerberos(conf);
        if (mode.equalsIgnoreCase("hadoop")) {
            return new FetchUris(null, kerberos);
        }
        if (mode.equalsIgnoreCase("auto")) {
            return switch (scheme) {
                case "hdfs" -> new FetchUris(namenodeHttp(root, conf), kerberos);
                case "webhdfs" -> new FetchUris(base("http", root, WEBHDFS_HTTP_PORT), kerberos);
                case "swebhdfs" -> new FetchUris(base("https", root, WEBHDFS_HTTPS_PORT), kerberos);
                default -> new FetchUris(null, kerberos);
            };
        }
        URI base;
        try {
            base = new URI(mode.endsWith("/") ? mode.substring(0, mode.length() - 1) : mode);
        } catch (URISyntaxException e) {
            base = null;
        }
        if (base == null || base.getHost() == null || base.getScheme() == null
                || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new InvalidSettingException(Message.of("fetchUriBase '", mode, "' is neither auto, hadoop nor an"
                    + " http(s)://host:port WebHDFS address; fix ", Setting.FETCH_URI_BASE));
        }
        if (!hdfsLike) {
            throw new InvalidSettingException(Message.of("fetchUriBase ", mode, " is a WebHDFS address, which serves"
                    + " HDFS only, but stagingUri is ", root, "; use an hdfs:// stagingUri or unset ",
                    Setting.FETCH_URI_BASE.named()));
        }
        return new FetchUris(base, kerberos);
    }

    static boolean kerberos(Configuration conf) {
        return "kerberos".equalsIgnoreCase(conf.getTrimmed("hadoop.security.authentication", "simple"));
    }

    /** Whether agents fetch over HTTP (WebHDFS) rather than with their own Hadoop client. */
    boolean webHdfs() {
        return webBase != null;
    }

    URI forPath(FileSystem fs, Path path) throws IOException {
        if (webBase == null) {
            URI uri = path.toUri();
            if ("file".equals(uri.getScheme()) && uri.getRawAuthority() == null) {
                // Hadoop writes file:/x; the Mesos fetcher takes what follows "file://" as the path, so it reads
                // file:/x as a relative one ("A relative path was passed for the resource but the Mesos
                // framework home was not specified"). file:///x is absolute to it.
                return URI.create("file://" + uri.getRawPath());
            }
            return uri;
        }
        String query = "op=OPEN&" + (kerberos ? "delegation=" + delegationToken(fs)
                : "user.name=" + UserGroupInformation.getCurrentUser().getShortUserName());
        try {
            return new URI(webBase.getScheme(), null, webBase.getHost(), webBase.getPort(),
                    webBase.getPath() + "/webhdfs/v1" + path.toUri().getPath(), query, null);
        } catch (URISyntaxException e) {
            throw new IOException("cannot make a WebHDFS URL for " + path + ": " + e.getMessage(), e);
        }
    }

    private String delegationToken(FileSystem fs) throws IOException {
        if (token == null) {
            token = fs.getDelegationToken(UserGroupInformation.getCurrentUser().getShortUserName());
            if (token == null) {
                throw new IOException("the filesystem issued no delegation token; with Kerberos, agents fetching"
                        + " over WebHDFS need one: set fetchUriBase=hadoop to let them use their own credentials");
            }
        }
        return token.encodeToUrlString();
    }

    /** Cancels the delegation token, if one was issued: the staged URLs stop working with the build. */
    void cancelToken(Configuration conf, StagingListener listener) {
        if (token == null) {
            return;
        }
        try {
            InPluginLoader.call(() -> {
                try {
                    token.cancel(conf);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            listener.warn("Could not cancel the WebHDFS delegation token given to the agents: " + e.getMessage()
                    + "; it expires by itself");
        }
    }

    private static URI namenodeHttp(URI root, Configuration conf) {
        String authority = root.getHost();
        if (authority != null && conf.get("dfs.ha.namenodes." + authority) != null) {
            throw new InvalidSettingException(Message.of("stagingUri ", root, " names the HA nameservice ",
                    authority, ", whose active namenode can change: set ", Setting.FETCH_URI_BASE.named(), " to an"
                    + " HttpFS gateway (or the active namenode's http://host:9870), or fetchUriBase=hadoop to let"
                    + " agents use their Hadoop client"));
        }
        String address = conf.getTrimmed("dfs.namenode.http-address");
        String host = root.getHost();
        int port = WEBHDFS_HTTP_PORT;
        if (address != null && !address.isEmpty()) {
            int colon = address.lastIndexOf(':');
            String configuredHost = colon < 0 ? address : address.substring(0, colon);
            if (colon >= 0) {
                port = Integer.parseInt(address.substring(colon + 1));
            }
            if (!configuredHost.isEmpty() && !configuredHost.equals("0.0.0.0")) {
                host = configuredHost;
            }
        }
        return URI.create("http://" + hostForUri(host) + ":" + port);
    }

    private static URI base(String scheme, URI root, int defaultPort) {
        return URI.create(scheme + "://" + hostForUri(root.getHost()) + ":"
                + (root.getPort() < 0 ? defaultPort : root.getPort()));
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
