package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.config.InvalidSettingException;

import java.util.Locale;

/**
 * A {@code zk://host1:2181,host2:2181/mesos} master address, as Mesos's {@code --master} takes it.
 *
 * @param address       what the user wrote, for messages
 * @param connectString the ensemble, {@code host1:2181,host2:2181}
 * @param path          the znode the masters register under, e.g. {@code /mesos}
 * @param scheme        {@code http}, or {@code https} for masters serving TLS (written {@code zk+https://…})
 */
public record ZooKeeperAddress(String address, String connectString, String path, String scheme) {
    /** Whether the address is a ZooKeeper one rather than a master's. */
    public static boolean isZooKeeper(String address) {
        String lower = address == null ? "" : address.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("zk://") || lower.startsWith("zk+https://");
    }

    /** Parses it; IllegalArgumentException with the expected form otherwise. */
    public static ZooKeeperAddress parse(String address) {
        String trimmed = address.strip();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        String scheme = lower.startsWith("zk+https://") ? "https" : "http";
        String rest = trimmed.substring(trimmed.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (hosts.contains("@")) {
            throw invalid(trimmed, "ZooKeeper credentials in the address are not supported");
        }
        if (hosts.isEmpty() || path.isEmpty()) {
            throw invalid(trimmed, hosts.isEmpty() ? "it names no ZooKeeper host" : "it has no path");
        }
        for (String host : hosts.split(",", -1)) {
            int colon = host.lastIndexOf(':');
            if (host.isBlank() || colon == host.length() - 1
                    || colon > 0 && !host.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                throw invalid(trimmed, "'" + host + "' is not host[:port]");
            }
        }
        return new ZooKeeperAddress(trimmed, hosts, path, scheme);
    }

    private static InvalidSettingException invalid(String address, String why) {
        return new InvalidSettingException("Unsupported Mesos master address '" + address + "': " + why + "; use "
                + "zk://host1:2181,host2:2181/mesos (the same value as the masters' --zk flag)");
    }
}
