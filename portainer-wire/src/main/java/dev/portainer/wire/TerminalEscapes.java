package dev.portainer.wire;

import java.util.regex.Pattern;

/**
 * The terminal escape sequences in build log lines. Lines travel as Docker sent them, escapes included: Docker wraps
 * each write to a build's stderr in red ({@code ESC[91m … ESC[0m}), and RUN steps print colours and cursor moves
 * of their own. Whoever shows a line to a person takes them out.
 */
public final class TerminalEscapes {
    /** Starts every escape sequence. */
    public static final char ESC = '\u001b';
    /**
     * One escape sequence: CSI ({@code ESC[91m}, {@code ESC[2K}), OSC (window titles, links; to BEL or ST), the nF
     * forms ({@code ESC(B}, which {@code tput sgr0} prints) and the two-byte ones ({@code ESC7}); an ESC that starts
     * none of them goes alone, so that no ESC is ever left in the text.
     */
    public static final Pattern SEQUENCE = Pattern.compile("\u001b(?:\\[[0-?]*[ -/]*[@-~]"
            + "|\\][^\u0007\u001b]*(?:\u0007|\u001b\\\\)?|[ -/]+[0-~]|[0-~])?");

    private TerminalEscapes() {
    }

    /** The text without its escape sequences. */
    public static String strip(String text) {
        return text.indexOf(ESC) < 0 ? text : SEQUENCE.matcher(text).replaceAll("");
    }

    /** Whether the text is escape sequences and nothing else, such as Docker's {@code ESC[0m} closing a red block. */
    public static boolean onlyEscapes(String text) {
        return !text.isEmpty() && strip(text).isEmpty();
    }
}
