package dev.portainer.core.scheduler;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.Offer;

/**
 * A requirement on a Mesos agent's attributes ({@code --attributes} of the agent), written {@code name:value} as in
 * Marathon's and Spark's constraints, e.g. {@code rack:us-east-1a} or {@code docker:true}. Only agents with that
 * attribute and value may host the build.
 *
 * @param name  the attribute's name
 * @param value the value it must have: text equal, a scalar equal as a number, a member of a set, or inside a range
 */
public record AgentConstraint(String name, String value) {
    public AgentConstraint {
        if (name == null || name.isBlank() || value == null || value.isBlank()) {
            throw new IllegalArgumentException("An agent constraint needs an attribute name and a value, e.g. "
                    + "rack:us-east-1a");
        }
    }

    /** Parses {@code name:value}. */
    public static AgentConstraint parse(String text) {
        String s = Objects.requireNonNull(text, "text").strip();
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new InvalidSettingException(Message.of("Invalid agent constraint '", text, "': write"
                    + " attribute:value, e.g. rack:us-east-1a; fix ", Setting.CONSTRAINTS));
        }
        return new AgentConstraint(s.substring(0, colon).strip(), s.substring(colon + 1).strip());
    }

    /** Whether the offer's agent satisfies this constraint. */
    public boolean test(Offer offer) {
        return attribute(offer).map(this::matches).orElse(false);
    }

    /** What the offer's agent has for this attribute, for messages: {@code rack=us-east-1b} or {@code no rack}. */
    public String describe(Offer offer) {
        return attribute(offer).map(a -> name + "=" + text(a)).orElse("no " + name);
    }

    @Override
    public String toString() {
        return name + ":" + value;
    }

    private Optional<Attribute> attribute(Offer offer) {
        return offer.getAttributesList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    private boolean matches(Attribute a) {
        switch (a.getType()) {
            case TEXT:
                return a.getText().getValue().equals(value);
            case SCALAR:
                return number().map(n -> Math.abs(n - a.getScalar().getValue()) < 0.0005).orElse(false);
            case SET:
                return a.getSet().getItemList().contains(value);
            case RANGES:
                return number().map(n -> a.getRanges().getRangeList().stream()
                        .anyMatch(r -> n >= r.getBegin() && n <= r.getEnd())).orElse(false);
            default:
                return false;
        }
    }

    private Optional<Double> number() {
        try {
            return Optional.of(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String text(Attribute a) {
        return switch (a.getType()) {
            case TEXT -> a.getText().getValue();
            case SCALAR -> String.format(Locale.ROOT, "%s", a.getScalar().getValue());
            case SET -> "{" + String.join(",", a.getSet().getItemList()) + "}";
            case RANGES -> a.getRanges().getRangeList().stream().map(r -> "[" + r.getBegin() + "-" + r.getEnd() + "]")
                    .reduce((x, y) -> x + "," + y).orElse("[]");
            default -> a.getType().name();
        };
    }
}
