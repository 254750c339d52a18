package dev.portainer.local;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * How the embedded Mesos is set up: its agent's resources and work directory, and the timings that tests may
 * shorten, the agent's attributes and environment, and faults they may inject. {@code workDir} null means a temporary directory that {@link LocalMesos#close()} deletes.
 *
 * <p>{@code frameworkCredentials} (principal → secret), when not empty, makes the master require HTTP Basic
 * authentication of schedulers, like {@code mesos-master --authenticate_http_frameworks
 * --http_framework_authenticators=basic --credentials=…}, and the agent's read-only endpoints ({@code /state},
 * {@code /files/read}) require them too, like {@code mesos-agent --authenticate_http_readonly
 * --http_credentials=…}. The agent authenticates its executors whatever this holds (see {@code ExecutorTokens}).
 */
public record LocalMesosConfig(
        Path workDir,
        double cpus,
        double memMb,
        double diskMb,
        String hostname,
        Duration heartbeatInterval,
        Duration executorRegistrationTimeout,
        Duration executorShutdownGracePeriod,
        Duration allocationInterval,
        Map<String, String> attributes,
        LongPredicate dropExecutorMessages,
        Map<String, dev.portainer.wire.auth.Secret> frameworkCredentials,
        Map<String, String> environment) {

    public LocalMesosConfig {
        // Sorted, so that offers and /state list them in a stable order.
        attributes = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(attributes));
        frameworkCredentials = Map.copyOf(frameworkCredentials);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(executorRegistrationTimeout, "executorRegistrationTimeout");
        Objects.requireNonNull(executorShutdownGracePeriod, "executorShutdownGracePeriod");
        Objects.requireNonNull(allocationInterval, "allocationInterval");
        Objects.requireNonNull(dropExecutorMessages, "dropExecutorMessages");
        if (cpus <= 0 || memMb <= 0 || diskMb < 0) {
            throw new IllegalArgumentException("The agent needs positive cpus and mem, got cpus=" + cpus
                    + " mem=" + memMb + " disk=" + diskMb);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, got " + heartbeatInterval);
        }
    }

    /** The machine's resources, sized like a Mesos agent with no --resources flag. */
    public static LocalMesosConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link LocalMesosConfig}; unset resources default to what a Mesos agent would detect. */
    public static final class Builder {
        private Path workDir;
        private Double cpus;
        private Double memMb;
        private Double diskMb;
        private String hostname = "127.0.0.1";
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private Duration executorRegistrationTimeout = Duration.ofMinutes(1);
        private Duration executorShutdownGracePeriod = Duration.ofSeconds(5);
        private Duration allocationInterval = Duration.ofSeconds(1);
        private Map<String, String> attributes = Map.of();
        private LongPredicate dropExecutorMessages = index -> false;
        private Map<String, dev.portainer.wire.auth.Secret> frameworkCredentials = Map.of();
        private Map<String, String> environment = System.getenv();

        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        public Builder cpus(double cpus) {
            this.cpus = cpus;
            return this;
        }

        public Builder memMb(double memMb) {
            this.memMb = memMb;
            return this;
        }

        public Builder diskMb(double diskMb) {
            this.diskMb = diskMb;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        public Builder executorRegistrationTimeout(Duration timeout) {
            this.executorRegistrationTimeout = timeout;
            return this;
        }

        public Builder executorShutdownGracePeriod(Duration gracePeriod) {
            this.executorShutdownGracePeriod = gracePeriod;
            return this;
        }

        public Builder allocationInterval(Duration allocationInterval) {
            this.allocationInterval = allocationInterval;
            return this;
        }

        /** The agent's attributes, like {@code mesos-agent --attributes=rack:us-east-1a;docker:true}. */
        public Builder attributes(Map<String, String> attributes) {
            this.attributes = Map.copyOf(attributes);
            return this;
        }

        /**
         * Fault injection for tests: the agent accepts but silently drops the executor MESSAGE calls whose index
         * (from 0, over the agent's life) matches, as a real cluster may drop framework messages in transit.
         */
        public Builder dropExecutorMessages(LongPredicate dropExecutorMessages) {
            this.dropExecutorMessages = dropExecutorMessages;
            return this;
        }

        /** Requires schedulers to authenticate with HTTP Basic as one of these principals (→ secret). */
        public Builder frameworkCredentials(Map<String, dev.portainer.wire.auth.Secret> credentials) {
            this.frameworkCredentials = Map.copyOf(credentials);
            return this;
        }

        /**
         * The agent's own environment, which its executors and fetcher inherit (a Mesos agent passes its own on);
         * default: this process's.
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        public LocalMesosConfig build() {
            return new LocalMesosConfig(workDir,
                    cpus != null ? cpus : Runtime.getRuntime().availableProcessors(),
                    memMb != null ? memMb : detectMemMb(),
                    diskMb != null ? diskMb : detectDiskMb(workDir),
                    hostname, heartbeatInterval, executorRegistrationTimeout, executorShutdownGracePeriod,
                    allocationInterval, attributes, dropExecutorMessages, frameworkCredentials, environment);
        }

        /** Like Mesos: total memory less 1 GB, or half of it on machines with less than 2 GB. */
        private static double detectMemMb() {
            long totalMb = totalMemoryBytes() / (1024 * 1024);
            return totalMb >= 2048 ? totalMb - 1024 : Math.max(1, totalMb / 2);
        }

        /**
         * The machine's memory as a Mesos agent reads it (stout's {@code os::memory()}: {@code sysinfo}'s
         * {@code totalram}, which {@code /proc/meminfo} shows as {@code MemTotal}), not a container's limit, which is
         * what the JVM's {@code OperatingSystemMXBean} reports; that bean, on systems without {@code /proc/meminfo}.
         * (Reading the file also spares the goal loading the JVM's management classes.)
         */
        static long totalMemoryBytes() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemTotal:")) {
                        String value = line.substring("MemTotal:".length()).trim();
                        if (value.endsWith(" kB")) {
                            return Long.parseLong(value.substring(0, value.length() - 3).trim()) * 1024;
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux, or not readable: the JVM's view
            }
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
            return 2048L * 1024 * 1024;
        }

        /** Like Mesos: the work directory's filesystem less 5 GB, or half of it when it is under 10 GB. */
        private static double detectDiskMb(Path workDir) {
            Path probe = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
            while (probe != null && !Files.exists(probe)) {
                probe = probe.getParent();
            }
            try {
                long totalMb = Files.getFileStore(probe == null ? Path.of("/") : probe).getTotalSpace() / (1024 * 1024);
                return totalMb >= 10240 ? totalMb - 5120 : totalMb / 2.0;
            } catch (IOException e) {
                return 1024;
            }
        }
    }
}
