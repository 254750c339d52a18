package dev.portainer.core.dockerfile;

import java.util.List;
import java.util.Locale;

/**
 * One Dockerfile instruction as Docker's parser sees it: continuation lines joined, comments inside it dropped.
 *
 * @param keyword   the instruction as written ({@code from}, {@code FROM}); compare with {@link #is(String)}
 * @param flags     the leading {@code --name=value} words, e.g. {@code --platform=linux/amd64}
 * @param arguments what follows the keyword and flags, trimmed
 * @param firstLine index of its first physical line in the file, 0-based
 * @param endLine   index after its last physical line (heredoc bodies included)
 * @param heredoc   whether it has a heredoc body ({@code <<EOF}), which Portainer never rewrites
 */
public record Instruction(String keyword, List<String> flags, String arguments, int firstLine, int endLine,
                          boolean heredoc) {
    public Instruction {
        flags = List.copyOf(flags);
    }

    /** Whether this is the instruction {@code name}, compared as Docker does, ignoring case. */
    public boolean is(String name) {
        return keyword.equalsIgnoreCase(name);
    }

    /** The value of flag {@code --name}, or null. */
    public String flag(String name) {
        String prefix = "--" + name.toLowerCase(Locale.ROOT) + "=";
        for (String flag : flags) {
            if (flag.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                return flag.substring(prefix.length());
            }
        }
        return null;
    }

    /** 1-based line number, for messages. */
    public int lineNumber() {
        return firstLine + 1;
    }
}
