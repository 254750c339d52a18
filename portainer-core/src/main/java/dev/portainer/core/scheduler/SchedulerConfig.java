package dev.portainer.core.scheduler;

import dev.portainer.core.mesos.scheduler.Backoff;
import dev.portainer.core.mesos.scheduler.MasterDetector;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.mesos.scheduler.MesosSchedulerClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.mesos.v1.Protos.FrameworkInfo;

/**
 * How Portainer registers with and uses a Mesos master. Its part about subscribing is what the scheduler client reads
 * ({@link MesosSchedulerClient.Settings}); the rest is for scheduling the builds.
 *
 * @param master          the remote master
 * @param frameworkName   the framework's name in the Mesos UI
 * @param user            the user tasks run as on the agents (must exist there unless agents run with
 *                        {@code --no-switch_user})
 * @param role            the role to subscribe with; {@code *} uses unreserved resources
 * @param hostname        this machine's name, shown by Mesos as the framework's host
 * @param failoverTimeout how long the master keeps our task after we disconnect, and how long we try to re-subscribe;
 *                        keep it short: when Maven is killed, this is how long its builds go on (then the master
 *                        tears the framework down and its executors get SHUTDOWN)
 * @param offerTimeout    how long to wait for an offer that fits before giving up
 * @param buildTimeout    how long each attempt of a build may take from its launch (fetching, starting the
 *                        executor, building, pushing) before its task is killed, or null for no limit
 * @param backoff         waits between re-subscription attempts
 * @param constraints     attributes an agent must have to host a build (all of them)
 * @param retries         how many times a task the cluster failed before it could build is relaunched
 * @param credential      the framework's principal and secret for HTTP Basic authentication, or null for none
 * @param sslContext      the TLS set-up for {@code https://} masters, or null for the JVM's default trust store
 * @param detector        finds the leader again after the connection is lost (ZooKeeper); null: {@code master} is
 *                        asked again, and it redirects to the leader
 */
public record SchedulerConfig(MesosMaster master, String frameworkName, String user, String role, String hostname,
                              Duration failoverTimeout, Duration offerTimeout, Duration buildTimeout,
                              Backoff backoff, List<AgentConstraint> constraints, int retries,
                              MesosCredential credential, javax.net.ssl.SSLContext sslContext,
                              MasterDetector detector) implements MesosSchedulerClient.Settings {
    public static final String DEFAULT_FRAMEWORK_NAME = "portainer";
    public static final String DEFAULT_ROLE = "*";
    /**
     * Long enough to outlast what a build should survive: a network blip, or a master failover (a new leader elected
     * within ZooKeeper's 10 s session timeout, a few seconds to recover, then our re-subscription), with the
     * re-subscription backoff (0.5 s doubling to 16 s) still trying at the deadline. Short enough that a killed
     * Maven's builds are stopped within about half a minute rather than finishing, and pushing, unattended.
     */
    public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_OFFER_TIMEOUT = Duration.ofMinutes(5);
    /**
     * Generous for an image build (the long ones, compiling a toolchain or an ML framework from source, take about
     * an hour), and an end for one that hangs (a RUN step waiting on the network, an executor that never starts)
     * instead of holding the cluster's resources and the CI job forever.
     */
    public static final Duration DEFAULT_BUILD_TIMEOUT = Duration.ofHours(2);
    public static final int DEFAULT_RETRIES = 2;

    public SchedulerConfig {
        Objects.requireNonNull(master, "master");
        requireText(frameworkName, "frameworkName");
        requireText(user, "user");
        requireText(role, "role");
        requireText(hostname, "hostname");
        requirePositive(failoverTimeout, "failoverTimeout");
        requirePositive(offerTimeout, "offerTimeout");
        if (buildTimeout != null) {
            requirePositive(buildTimeout, "buildTimeout");
        }
        Objects.requireNonNull(backoff, "backoff");
        constraints = List.copyOf(constraints);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, got " + retries);
        }
    }

    /**
     * Defaults: name "portainer", role "*", failover 30 s, offer timeout 5 min, build timeout 2 h, 2 retries, no
     * authentication, the JVM's trust store.
     */
    public static SchedulerConfig defaults(MesosMaster master, String user, String hostname) {
        return new SchedulerConfig(master, DEFAULT_FRAMEWORK_NAME, user, DEFAULT_ROLE, hostname,
                DEFAULT_FAILOVER_TIMEOUT, DEFAULT_OFFER_TIMEOUT, DEFAULT_BUILD_TIMEOUT, Backoff.standard(), List.of(),
                DEFAULT_RETRIES,
                null, null, null);
    }

    public SchedulerConfig withFrameworkName(String value) {
        return new SchedulerConfig(master, value, user, role, hostname, failoverTimeout, offerTimeout, buildTimeout,
                backoff, constraints, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withRole(String value) {
        return new SchedulerConfig(master, frameworkName, user, value, hostname, failoverTimeout, offerTimeout,
                buildTimeout, backoff, constraints, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withFailoverTimeout(Duration value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, value, offerTimeout, buildTimeout,
                backoff, constraints, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withOfferTimeout(Duration value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, value, buildTimeout,
                backoff, constraints, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withBuildTimeout(Duration value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout, value,
                backoff, constraints, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withBackoff(Backoff value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout,
                buildTimeout, value, constraints, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withConstraints(List<AgentConstraint> value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout,
                buildTimeout, backoff, value, retries, credential, sslContext, detector);
    }

    public SchedulerConfig withRetries(int value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout,
                buildTimeout, backoff, constraints, value, credential, sslContext, detector);
    }

    /** Authenticates as this principal (also set as FrameworkInfo.principal); null for no authentication. */
    public SchedulerConfig withCredential(MesosCredential value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout,
                buildTimeout, backoff, constraints, retries, value, sslContext, detector);
    }

    /** Trusts what this context trusts for {@code https://} masters; null for the JVM's default trust store. */
    public SchedulerConfig withSslContext(javax.net.ssl.SSLContext value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout,
                buildTimeout, backoff, constraints, retries, credential, value, detector);
    }

    /** Asks this detector for the leader after a lost connection (a ZooKeeper one follows a master failover). */
    public SchedulerConfig withDetector(MasterDetector value) {
        return new SchedulerConfig(master, frameworkName, user, role, hostname, failoverTimeout, offerTimeout,
                buildTimeout, backoff, constraints, retries, credential, sslContext, value);
    }

    /** The FrameworkInfo of a first SUBSCRIBE (no id yet). MULTI_ROLE because offers then say which role they are for. */
    public FrameworkInfo frameworkInfo() {
        FrameworkInfo.Builder info = FrameworkInfo.newBuilder()
                .setUser(user)
                .setName(frameworkName)
                .addAllRoles(List.of(role))
                .addCapabilities(FrameworkInfo.Capability.newBuilder()
                        .setType(FrameworkInfo.Capability.Type.MULTI_ROLE))
                .setFailoverTimeout(failoverTimeout.toMillis() / 1000.0)
                .setHostname(hostname);
        if (credential != null) {
            // Mesos refuses a framework whose principal differs from the authenticated one.
            info.setPrincipal(credential.principal());
        }
        return info.build();
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
