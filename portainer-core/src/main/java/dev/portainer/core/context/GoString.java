package dev.portainer.core.context;

import java.nio.charset.StandardCharsets;

/**
 * Go's strings are bytes, and so are the file names and .dockerignore patterns the Docker CLI handles: a name that
 * is not UTF-8 ({@code caf\xe9.txt}) is just as valid. This class works on <em>byte strings</em>: Java strings
 * whose chars are those bytes, 0 to 255 each (ISO-8859-1 decoding, lossless and compact). Comparing, sorting and
 * splitting them at {@code '/'} is comparing bytes, as Go does; {@link #runes} gives the text Go's {@code range}
 * loop, {@code text/scanner} and {@code regexp} see, where every invalid byte is one U+FFFD.
 */
public final class GoString {
    private static final char RUNE_ERROR = '\uFFFD';

    private GoString() {
    }

    /** The byte string of these bytes. */
    public static String of(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The byte string of Unicode text: its UTF-8 bytes (what a Go literal of the same text holds). */
    public static String ofText(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes of a byte string. */
    public static byte[] bytes(String goString) {
        return goString.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Whether every byte is ASCII (below 0x80). */
    public static boolean isAscii(String goString) {
        for (int i = 0; i < goString.length(); i++) {
            if (goString.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The runes of a byte string as Go decodes them ({@code utf8.DecodeRuneInString}): valid UTF-8 becomes its
     * characters, each byte of an invalid sequence one U+FFFD. This is what moby's pattern compiler and Go's regexp
     * matcher see; it is also the readable form of a name for messages.
     */
    public static String runes(String goString) {
        if (isAscii(goString)) {
            return goString;
        }
        StringBuilder out = new StringBuilder(goString.length());
        int i = 0;
        while (i < goString.length()) {
            int width = runeWidth(goString, i);
            if (width == 0) {
                out.append(RUNE_ERROR);
                i++;
            } else {
                out.appendCodePoint(decode(goString, i, width));
                i += width;
            }
        }
        return out.toString();
    }

    /**
     * Go's {@code strings.TrimSpace} on a byte string: strips leading and trailing white space runes as Go's
     * {@code unicode.IsSpace} defines them (NEL and NBSP included); invalid bytes are never space.
     */
    public static String trimSpace(String goString) {
        int from = 0;
        int to = goString.length();
        while (from < to) {
            int width = runeWidth(goString, from);
            if (width == 0 || !isGoSpace(decode(goString, from, width))) {
                break;
            }
            from += width;
        }
        while (to > from) {
            int start = lastRuneStart(goString, from, to);
            int width = runeWidth(goString, start);
            if (width != to - start || !isGoSpace(decode(goString, start, width))) {
                break;
            }
            to = start;
        }
        return goString.substring(from, to);
    }

    // Where the rune ending at 'to' starts, as utf8.DecodeLastRuneInString finds it: a valid sequence of up to four
    // bytes, else the last byte alone.
    private static int lastRuneStart(String s, int from, int to) {
        for (int start = to - 1; start >= Math.max(from, to - 4); start--) {
            char c = s.charAt(start);
            if (c < 0x80 || c >= 0xC0) {
                return runeWidth(s, start) == to - start ? start : to - 1;
            }
        }
        return to - 1;
    }

    /** The length of the valid UTF-8 sequence starting at {@code i}, or 0 when the byte there starts none. */
    static int runeWidth(String s, int i) {
        int b0 = s.charAt(i);
        if (b0 < 0x80) {
            return 1;
        }
        int width;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            width = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            width = 3;
            if (b0 == 0xE0) {
                lo = 0xA0; // no overlong forms
            } else if (b0 == 0xED) {
                hi = 0x9F; // no surrogates
            }
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            width = 4;
            if (b0 == 0xF0) {
                lo = 0x90;
            } else if (b0 == 0xF4) {
                hi = 0x8F; // nothing above U+10FFFF
            }
        } else {
            return 0;
        }
        if (i + width > s.length()) {
            return 0;
        }
        int b1 = s.charAt(i + 1);
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int k = 2; k < width; k++) {
            int b = s.charAt(i + k);
            if (b < 0x80 || b > 0xBF) {
                return 0;
            }
        }
        return width;
    }

    private static int decode(String s, int i, int width) {
        int b0 = s.charAt(i);
        return switch (width) {
            case 1 -> b0;
            case 2 -> (b0 & 0x1F) << 6 | s.charAt(i + 1) & 0x3F;
            case 3 -> (b0 & 0x0F) << 12 | (s.charAt(i + 1) & 0x3F) << 6 | s.charAt(i + 2) & 0x3F;
            default -> (b0 & 0x07) << 18 | (s.charAt(i + 1) & 0x3F) << 12 | (s.charAt(i + 2) & 0x3F) << 6
                    | s.charAt(i + 3) & 0x3F;
        };
    }

    private static boolean isGoSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }
}
