package dev.portainer.local.resources;

import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A bag of unreserved resources of the single agent: named scalars (cpus, mem, disk, ...) and port ranges.
 * Immutable; arithmetic like Mesos's {@code Resources} for the kinds portainer-local offers.
 */
public final class Resources {
    public static final Resources EMPTY = new Resources(Map.of(), List.of());
    /** Mesos compares scalars at a fixed precision of three decimals. */
    private static final double EPSILON = 0.0005;
    private static final List<String> ORDER = List.of("cpus", "mem", "disk", "gpus");

    private final Map<String, Double> scalars;
    private final List<Range> ports;

    /** An inclusive range of ports. */
    public record Range(long begin, long end) {
    }

    private Resources(Map<String, Double> scalars, List<Range> ports) {
        TreeMap<String, Double> cleaned = new TreeMap<>();
        scalars.forEach((name, value) -> {
            double rounded = Math.round(value * 1000.0) / 1000.0;
            if (rounded > EPSILON) {
                cleaned.put(name, rounded);
            }
        });
        this.scalars = Collections.unmodifiableMap(cleaned);
        this.ports = List.copyOf(normalize(ports));
    }

    public static Resources of(double cpus, double memMb, double diskMb, List<Range> ports) {
        return new Resources(Map.of("cpus", cpus, "mem", memMb, "disk", diskMb), ports);
    }

    /** Reads resources from protobufs; anything but scalars and the "ports" ranges is refused. */
    public static Resources fromProto(List<Resource> resources) throws InvalidResourcesException {
        Map<String, Double> scalars = new TreeMap<>();
        List<Range> ports = new ArrayList<>();
        for (Resource resource : resources) {
            if (resource.hasReservation() || resource.getReservationsCount() > 0 || resource.hasDisk()
                    || resource.hasRevocable() || resource.hasShared() || resource.hasProviderId()) {
                throw new InvalidResourcesException("Resource " + resource.getName()
                        + " uses reservations, volumes or revocable resources, which portainer-local does not offer");
            }
            switch (resource.getType()) {
                case SCALAR -> {
                    double value = resource.getScalar().getValue();
                    if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                        throw new InvalidResourcesException("Invalid scalar resource " + resource.getName()
                                + ": " + value);
                    }
                    scalars.merge(resource.getName(), value, Double::sum);
                }
                case RANGES -> {
                    if (!resource.getName().equals("ports")) {
                        throw new InvalidResourcesException("Unknown ranges resource " + resource.getName());
                    }
                    for (Value.Range range : resource.getRanges().getRangeList()) {
                        if (range.getBegin() > range.getEnd()) {
                            throw new InvalidResourcesException("Invalid ranges resource ports: ["
                                    + range.getBegin() + "-" + range.getEnd() + "]");
                        }
                        ports.add(new Range(range.getBegin(), range.getEnd()));
                    }
                }
                default -> throw new InvalidResourcesException("Unsupported resource type "
                        + resource.getType() + " of " + resource.getName());
            }
        }
        return new Resources(scalars, ports);
    }

    public double scalar(String name) {
        return scalars.getOrDefault(name, 0.0);
    }

    public Map<String, Double> scalars() {
        return scalars;
    }

    public List<Range> ports() {
        return ports;
    }

    public boolean isEmpty() {
        return scalars.isEmpty() && ports.isEmpty();
    }

    public Resources plus(Resources other) {
        Map<String, Double> sum = new TreeMap<>(scalars);
        other.scalars.forEach((name, value) -> sum.merge(name, value, Double::sum));
        List<Range> allPorts = new ArrayList<>(ports);
        allPorts.addAll(other.ports);
        return new Resources(sum, allPorts);
    }

    /** Subtracts what exists; the caller checks {@link #contains} first where the difference matters. */
    public Resources minus(Resources other) {
        Map<String, Double> difference = new TreeMap<>(scalars);
        other.scalars.forEach((name, value) -> difference.computeIfPresent(name, (n, v) -> v - value));
        List<Range> remaining = new ArrayList<>(ports);
        for (Range cut : other.ports) {
            List<Range> next = new ArrayList<>();
            for (Range r : remaining) {
                if (cut.end() < r.begin() || cut.begin() > r.end()) {
                    next.add(r);
                    continue;
                }
                if (r.begin() < cut.begin()) {
                    next.add(new Range(r.begin(), cut.begin() - 1));
                }
                if (r.end() > cut.end()) {
                    next.add(new Range(cut.end() + 1, r.end()));
                }
            }
            remaining = next;
        }
        return new Resources(difference, remaining);
    }

    public boolean contains(Resources other) {
        for (Map.Entry<String, Double> entry : other.scalars.entrySet()) {
            if (scalar(entry.getKey()) + EPSILON < entry.getValue()) {
                return false;
            }
        }
        for (Range wanted : other.ports) {
            boolean covered = ports.stream().anyMatch(r -> r.begin() <= wanted.begin() && wanted.end() <= r.end());
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    /** The protobufs of an offer or of a task's resources, allocated to {@code role}. */
    public List<Resource> toProto(String role) {
        List<Resource> result = new ArrayList<>();
        if (!ports.isEmpty()) {
            Value.Ranges.Builder ranges = Value.Ranges.newBuilder();
            ports.forEach(r -> ranges.addRange(Value.Range.newBuilder().setBegin(r.begin()).setEnd(r.end())));
            result.add(withRole(Resource.newBuilder().setName("ports").setType(Value.Type.RANGES)
                    .setRanges(ranges), role));
        }
        for (String name : orderedNames()) {
            result.add(withRole(Resource.newBuilder().setName(name).setType(Value.Type.SCALAR)
                    .setScalar(Value.Scalar.newBuilder().setValue(scalars.get(name))), role));
        }
        return result;
    }

    private static Resource withRole(Resource.Builder builder, String role) {
        builder.setRole("*");
        if (role != null) {
            builder.setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role));
        }
        return builder.build();
    }

    private List<String> orderedNames() {
        List<String> names = new ArrayList<>();
        ORDER.stream().filter(scalars::containsKey).forEach(names::add);
        scalars.keySet().stream().filter(n -> !ORDER.contains(n)).forEach(names::add);
        return names;
    }

    /** Mesos's /state form: {"disk":..,"mem":..,"gpus":..,"cpus":..,"ports":"[31000-32000]"}. */
    public Map<String, Object> toStateMap() {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        map.put("disk", scalar("disk"));
        map.put("mem", scalar("mem"));
        map.put("gpus", scalar("gpus"));
        map.put("cpus", scalar("cpus"));
        scalars.forEach((name, value) -> map.putIfAbsent(name, value));
        if (!ports.isEmpty()) {
            map.put("ports", portsText());
        }
        return map;
    }

    private String portsText() {
        return ports.stream().map(r -> r.begin() + "-" + r.end()).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Mesos's text form, used in validation messages: {@code cpus(allocated: *):0.1; mem(allocated: *):32}. */
    public String describe(String role) {
        String suffix = role == null ? "" : "(allocated: " + role + ")";
        List<String> parts = new ArrayList<>();
        for (String name : orderedNames()) {
            parts.add(name + suffix + ":" + format(scalars.get(name)));
        }
        if (!ports.isEmpty()) {
            parts.add("ports" + suffix + ":" + portsText());
        }
        return String.join("; ", parts);
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static List<Range> normalize(List<Range> ranges) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        List<Range> merged = new ArrayList<>();
        for (Range r : sorted) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).end() + 1 >= r.begin()) {
                Range last = merged.remove(merged.size() - 1);
                merged.add(new Range(last.begin(), Math.max(last.end(), r.end())));
            } else {
                merged.add(r);
            }
        }
        return merged;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Resources other && scalars.equals(other.scalars) && ports.equals(other.ports);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scalars, ports);
    }

    @Override
    public String toString() {
        return describe(null);
    }
}
