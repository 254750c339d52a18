package dev.portainer.maven;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;

import dev.portainer.core.build.BuildOptionsRules;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns Mojo parameters given as strings (on the command line, say) into the values core takes. */
final class ParameterParsing {
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)b?",
            Pattern.CASE_INSENSITIVE);

    private ParameterParsing() {
    }

    /**
     * Merges a map parameter from the pom with its comma-separated property form {@code K=V,K2=V2}; on the same key
     * the property wins (it is how a command line overrides the pom). An entry without '=' is refused; {@code K=}
     * and an empty pom element are the empty value.
     *
     * @param buildArgs whether these are build args (a bare name gets the build-arg message)
     */
    static Map<String, String> mergeKeyValues(Map<String, String> fromPom, String property, String parameter,
                                              boolean buildArgs) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (fromPom != null) {
            // Maven hands null for <key></key> and <key/>: the empty value, as Docker's --build-arg K= and --label k=
            // give it. Only a bare name on the command line would stand for a value taken from an environment.
            fromPom.forEach((key, value) -> merged.put(key.trim(), value == null ? "" : value));
        }
        if (property != null && !property.isBlank()) {
            for (String entry : property.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                String key = (eq < 0 ? entry : entry.substring(0, eq)).trim();
                if (eq < 0 && buildArgs) {
                    throw BuildOptionsRules.missingValue(key);
                }
                if (eq < 0 || key.isEmpty()) {
                    throw new InvalidSettingException(Message.of("Invalid entry '" + entry.trim() + "' in portainer."
                            + parameter + ": write key=value pairs separated by commas, e.g. -Dportainer." + parameter
                            + "=a=1,b=2 (values with commas go in <" + parameter + "> in the pom)"));
                }
                merged.put(key, entry.substring(eq + 1));
            }
        }
        return merged;
    }

    /** A size as Docker's CLI takes it ({@code 67108864}, {@code 512k}, {@code 64m}, {@code 1g}), in bytes. */
    static Long byteSize(String text, String parameter) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidSettingException(Message.of("Invalid " + parameter + " '" + text + "': give bytes or a"
                    + " number with a unit k, m, g or t, e.g. 64m; fix <" + parameter + "> (portainer." + parameter
                    + ")"));
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> 1;
        };
        return (long) (Double.parseDouble(m.group(1)) * unit);
    }
}
