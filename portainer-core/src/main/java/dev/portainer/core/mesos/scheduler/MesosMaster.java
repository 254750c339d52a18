package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.config.InvalidSettingException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * The address of a remote Mesos master, as the user wrote it ({@code host:port} or {@code http(s)://host:port[/path]}),
 * normalised to the base URI under which the master serves {@code /api/v1/scheduler}.
 *
 * @param address what the user configured, kept for error messages
 * @param baseUri scheme, host, port and optional path prefix (for masters behind a proxy), without trailing slash
 */
public record MesosMaster(String address, URI baseUri) {
    /** The value that selects the embedded single-node Mesos instead of a remote master. */
    public static final String LOCAL = "local";

    private static final String ACCEPTED_FORMS = "use host:port (e.g. mesos.example.com:5050), http://host:port or "
            + "https://host:port[/path] (for a master behind a proxy), zk://host1:2181,host2:2181/mesos to find the "
            + "leading master through ZooKeeper, or 'local' for the embedded single-node Mesos";

    public MesosMaster {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(baseUri, "baseUri");
    }

    /** Whether the address asks for the embedded Mesos, which the caller starts instead of parsing an address. */
    public static boolean isLocal(String address) {
        return address != null && address.strip().equalsIgnoreCase(LOCAL);
    }

    /** Parses a remote master's address; throws IllegalArgumentException naming the accepted forms otherwise. */
    public static MesosMaster parse(String address) {
        if (address == null || address.isBlank()) {
            throw new InvalidSettingException("No Mesos master address given: " + ACCEPTED_FORMS);
        }
        String trimmed = address.strip();
        if (isLocal(trimmed)) {
            throw new InvalidSettingException("'local' is not a remote master address: start the embedded Mesos "
                    + "and use its address instead");
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (ZooKeeperAddress.isZooKeeper(trimmed)) {
            // The caller resolves these with ZooKeeperMasterDetector; a ZooKeeper address is not a master's.
            throw new InvalidSettingException("Mesos master address '" + trimmed + "' is a ZooKeeper address: "
                    + "find the leading master with ZooKeeperMasterDetector");
        }
        if (lower.contains("://")) {
            return parseUrl(address, trimmed);
        }
        return parseHostPort(address, trimmed);
    }

    /** The v1 scheduler API endpoint of this master. */
    public URI schedulerEndpoint() {
        return URI.create(baseUri + "/api/v1/scheduler");
    }

    @Override
    public String toString() {
        return baseUri.toString();
    }

    private static MesosMaster parseUrl(String original, String trimmed) {
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw unsupported(original, "it is not a valid URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw unsupported(original, "the scheme '" + uri.getScheme() + "' is not supported");
        }
        if (uri.getHost() == null) {
            throw unsupported(original, "it has no host name");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw unsupported(original, "a master URL may not carry user info, a query or a fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new MesosMaster(trimmed, URI.create(scheme + "://" + uri.getRawAuthority() + path));
    }

    private static MesosMaster parseHostPort(String original, String trimmed) {
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw unsupported(original, "it has no port");
        }
        String portText = trimmed.substring(colon + 1);
        if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5) {
            throw unsupported(original, "'" + portText + "' is not a port number");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw unsupported(original, "port " + port + " is out of range");
        }
        URI uri;
        try {
            uri = new URI("http://" + trimmed);
        } catch (URISyntaxException e) {
            throw unsupported(original, "'" + trimmed.substring(0, colon) + "' is not a valid host name");
        }
        if (uri.getHost() == null || uri.getPort() != port || !uri.getRawPath().isEmpty()) {
            throw unsupported(original, "'" + trimmed.substring(0, colon) + "' is not a valid host name");
        }
        return new MesosMaster(trimmed, uri);
    }

    private static InvalidSettingException unsupported(String address, String why) {
        return new InvalidSettingException("Unsupported Mesos master address '" + address + "': " + why + "; "
                + ACCEPTED_FORMS);
    }
}
