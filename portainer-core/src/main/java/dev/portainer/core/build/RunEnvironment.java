package dev.portainer.core.build;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What a run takes from the process it runs in, injected so that a test can fix it: the time, randomness, ids, the
 * process environment and the host name. {@link ImageBuild} and {@link ImagePush} start each run's
 * {@link RunContext} from it.
 *
 * @param clock       the time
 * @param random      makes each run's source of secrets
 * @param ids         names packed contexts
 * @param environment the process environment (Hadoop and Docker configuration)
 * @param hostname    this machine's name, for the framework
 */
public record RunEnvironment(Clock clock, Supplier<SecureRandom> random, Supplier<UUID> ids,
                             Map<String, String> environment, Supplier<String> hostname) {
    public RunEnvironment {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(ids, "ids");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(hostname, "hostname");
    }

    /** The system clock, a new SecureRandom per run, random UUIDs, this process's environment and host name. */
    public static RunEnvironment ofThisProcess() {
        return new RunEnvironment(Clock.systemUTC(), SecureRandom::new, UUID::randomUUID, System.getenv(),
                RunEnvironment::localHostname);
    }

    static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
