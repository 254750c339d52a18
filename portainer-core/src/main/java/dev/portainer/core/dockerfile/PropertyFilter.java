package dev.portainer.core.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code ${name}} references in a Dockerfile's text with the values of a front end's properties (Maven's
 * {@code ${project.build.finalName}}), as fabric8's docker-maven-plugin does: a reference whose name the properties do
 * not know is Docker's own {@code ${VAR}} and stays as written, and so does one behind the Dockerfile's escape
 * character ({@code \${…}}, Docker's way to write a literal {@code $}). Values are put in as they are, never read
 * again for references.
 */
public final class PropertyFilter {
    /**
     * A name as properties spell it: letters, digits, {@code . _ -}. Docker's {@code ${VAR:-default}} forms never
     * match as a whole, so only their plain inner references can be filled.
     */
    static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)}");

    /** The values a front end knows. */
    @FunctionalInterface
    public interface Properties {
        /**
         * The value of {@code name}, or empty when there is no such property.
         *
         * @throws dev.portainer.core.config.InvalidSettingException when the name must not be filled in at all
         */
        Optional<String> value(String name);
    }

    /**
     * A reference in the Dockerfile.
     *
     * @param name  the name between {@code ${} and {@code }}
     * @param line  its line, from 1
     * @param value what it was replaced with, or null when left alone
     */
    public record Reference(String name, int line, String value) {
        /** {@code ${name}}, as written. */
        public String written() {
            return "${" + name + "}";
        }
    }

    /**
     * The filtered text and what happened to each reference.
     *
     * @param text       the text with the known references filled in
     * @param filled     the references replaced, in order
     * @param unresolved the references left alone because the properties do not know their name, in order
     */
    public record Result(String text, List<Reference> filled, List<Reference> unresolved) {
        public Result {
            filled = List.copyOf(filled);
            unresolved = List.copyOf(unresolved);
        }

        public boolean changed() {
            return !filled.isEmpty();
        }
    }

    private PropertyFilter() {
    }

    /**
     * Filters {@code text}.
     *
     * @param escape the Dockerfile's escape character ({@link Dockerfile#escape()})
     */
    public static Result filter(String text, char escape, Properties properties) {
        StringBuilder out = new StringBuilder(text.length());
        List<Reference> filled = new ArrayList<>();
        List<Reference> unresolved = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        int copied = 0;
        int line = 1;
        int counted = 0;
        while (m.find()) {
            line += newlines(text, counted, m.start());
            counted = m.start();
            if (escaped(text, m.start(), escape)) {
                continue;
            }
            String name = m.group(1);
            Optional<String> value = properties.value(name);
            if (value.isEmpty()) {
                unresolved.add(new Reference(name, line, null));
                continue;
            }
            out.append(text, copied, m.start()).append(value.get());
            copied = m.end();
            filled.add(new Reference(name, line, value.get()));
        }
        out.append(text, copied, text.length());
        return new Result(filled.isEmpty() ? text : out.toString(), filled, unresolved);
    }

    /** The {@code ${name}} references in any text, e.g. an error message that quotes the Dockerfile. */
    public static List<String> namesIn(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text == null ? "" : text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Whether the {@code $} at {@code at} follows an odd number of escape characters (an even number escape each other). */
    private static boolean escaped(String text, int at, char escape) {
        int n = 0;
        for (int i = at - 1; i >= 0 && text.charAt(i) == escape; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    private static int newlines(String text, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
