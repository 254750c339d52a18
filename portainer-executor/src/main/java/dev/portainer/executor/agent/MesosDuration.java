package dev.portainer.executor.agent;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations the way the agent writes them into an executor's environment ({@code 15mins}, {@code 5secs}, {@code 250ms}). */
public final class MesosDuration {
    private static final Pattern FORMAT = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|secs|mins|hrs|days|weeks)\\s*");
    private static final Map<String, Double> NANOS_PER_UNIT = Map.of(
            "ns", 1d, "us", 1e3, "ms", 1e6, "secs", 1e9, "mins", 60e9, "hrs", 3600e9, "days", 86400e9,
            "weeks", 7 * 86400e9);

    private MesosDuration() {
    }

    /** @throws IllegalArgumentException when {@code text} is not a number followed by one of Mesos's units */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a Mesos duration such as 15mins, 5secs or 250ms");
        }
        double nanos = Double.parseDouble(m.group(1)) * NANOS_PER_UNIT.get(m.group(2));
        return Duration.ofNanos((long) nanos);
    }
}
