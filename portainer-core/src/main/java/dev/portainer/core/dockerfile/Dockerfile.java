package dev.portainer.core.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way Docker's parser reads it, enough to find and rewrite instructions without disturbing the
 * rest: parser directives ({@code # escape=}), comments, line continuations (with comment and empty lines inside
 * them), case-insensitive keywords, leading {@code --flags}, and heredoc bodies (skipped whole, never parsed).
 * The physical lines are kept, so a rewrite changes only the lines of the instructions it touches.
 */
public final class Dockerfile {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<(-?)\\s*([\"']?)([A-Za-z0-9_]+)\\2");
    private static final List<String> HEREDOC_INSTRUCTIONS = List.of("RUN", "COPY", "ADD");

    private final List<String> lines;
    private final boolean finalNewline;
    private final char escape;
    private final List<Instruction> instructions;

    private Dockerfile(List<String> lines, boolean finalNewline, char escape, List<Instruction> instructions) {
        this.lines = List.copyOf(lines);
        this.finalNewline = finalNewline;
        this.escape = escape;
        this.instructions = List.copyOf(instructions);
    }

    /** Parses {@code text}; never fails: what Docker would reject is left for Docker to report. */
    public static Dockerfile parse(String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // Docker ignores a UTF-8 byte order mark
        }
        boolean finalNewline = text.endsWith("\n");
        String[] split = (finalNewline ? text.substring(0, text.length() - 1) : text).split("\n", -1);
        List<String> lines = new ArrayList<>(split.length);
        for (String line : split) {
            lines.add(line);
        }
        int i = 0;
        char escape = '\\';
        // Parser directives: only at the very top, before any other comment, empty line or instruction.
        while (i < lines.size()) {
            Matcher directive = DIRECTIVE.matcher(content(lines.get(i)));
            if (!directive.matches()) {
                break;
            }
            if (directive.group(1).equalsIgnoreCase("escape")) {
                String value = directive.group(2);
                if (value.equals("`")) {
                    escape = '`';
                }
            }
            i++;
        }
        Pattern continuation = Pattern.compile(Pattern.quote(String.valueOf(escape)) + "[ \\t]*$");
        List<Instruction> instructions = new ArrayList<>();
        while (i < lines.size()) {
            String first = content(lines.get(i)).strip();
            if (first.isEmpty() || first.startsWith("#")) {
                i++;
                continue;
            }
            int start = i;
            StringBuilder logical = new StringBuilder();
            while (true) {
                String line = content(lines.get(i));
                i++;
                Matcher more = continuation.matcher(line);
                if (!more.find()) {
                    logical.append(line);
                    break;
                }
                logical.append(line, 0, more.start());
                // Inside a continuation Docker drops comment lines and empty lines.
                while (i < lines.size() && isBlankOrComment(lines.get(i))) {
                    i++;
                }
                if (i >= lines.size()) {
                    break;
                }
            }
            String joined = logical.toString().strip();
            int space = firstWhitespace(joined);
            String keyword = space < 0 ? joined : joined.substring(0, space);
            String rest = space < 0 ? "" : joined.substring(space).strip();
            List<String> flags = new ArrayList<>();
            while (rest.startsWith("--")) {
                int end = firstWhitespace(rest);
                flags.add(end < 0 ? rest : rest.substring(0, end));
                rest = end < 0 ? "" : rest.substring(end).strip();
            }
            boolean heredoc = false;
            if (HEREDOC_INSTRUCTIONS.contains(keyword.toUpperCase(Locale.ROOT))) {
                Matcher marker = HEREDOC.matcher(rest);
                while (marker.find()) {
                    heredoc = true;
                    boolean stripTabs = !marker.group(1).isEmpty();
                    String word = marker.group(3);
                    while (i < lines.size()) {
                        String body = content(lines.get(i));
                        i++;
                        if ((stripTabs ? body.replaceFirst("^\\t+", "") : body).equals(word)) {
                            break;
                        }
                    }
                }
            }
            instructions.add(new Instruction(keyword, flags, rest, start, i, heredoc));
        }
        return new Dockerfile(lines, finalNewline, escape, instructions);
    }

    /** The instructions in order. */
    public List<Instruction> instructions() {
        return instructions;
    }

    /** The escape character, {@code \} unless an {@code # escape=} directive says {@code `}. */
    public char escape() {
        return escape;
    }

    /** The physical lines, without line terminators. */
    public List<String> lines() {
        return lines;
    }

    boolean finalNewline() {
        return finalNewline;
    }

    private static String content(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static boolean isBlankOrComment(String line) {
        String stripped = content(line).strip();
        return stripped.isEmpty() || stripped.startsWith("#");
    }

    static int firstWhitespace(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (Character.isWhitespace(s.charAt(k))) {
                return k;
            }
        }
        return -1;
    }
}
