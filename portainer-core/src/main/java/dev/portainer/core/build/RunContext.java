package dev.portainer.core.build;

import dev.portainer.core.scheduler.BuildCancelledException;
import dev.portainer.core.scheduler.BuildEvents;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What every step of one run shares and nothing reaches for by itself: where it reports, the shutdown guard that
 * undoes its steps, the clock, randomness, ids and the process environment.
 *
 * @param events      where progress goes; never throws (see {@link NeverFailingEvents})
 * @param guard       cancels the run on Ctrl-C and undoes what its steps registered
 * @param clock       the time
 * @param random      for secrets (credentials keys, staging paths)
 * @param ids         for names that must not collide (packed contexts)
 * @param environment the process environment (Hadoop and Docker configuration)
 * @param hostname    this machine's name, for the framework
 */
record RunContext(BuildEvents events, CancelOnShutdown guard, Clock clock, SecureRandom random, Supplier<UUID> ids,
                  Map<String, String> environment, String hostname) {

    /** Fails the run when the JVM is stopping: nothing new may start then. */
    void stopIfStopping() throws BuildCancelledException {
        if (guard.stopping()) {
            throw new BuildCancelledException("The build was cancelled: the JVM is stopping");
        }
    }
}
