package dev.portainer.core.context;

import java.nio.file.Path;

/**
 * The bytes of file names and symbolic link targets, whatever the JVM's file-name encoding
 * ({@code sun.jnu.encoding}, from the locale: under {@code LC_ALL=C} every non-ASCII byte decodes to U+FFFD and
 * {@link Path#toString()} loses it). The JDK keeps a path's bytes internally and writes them, percent-encoded, into
 * {@link Path#toUri()}; that is where they are read back from. ASCII names, the common case, need none of this.
 */
final class RawNames {
    private RawNames() {
    }

    /** The last name of an absolute path, as a byte string ({@link GoString}). */
    static String name(Path path) {
        String name = path.getFileName().toString();
        if (GoString.isAscii(name)) {
            return name;
        }
        String raw = path.toAbsolutePath().toUri().getRawPath();
        int end = raw.length();
        if (end > 1 && raw.charAt(end - 1) == '/') {
            end--; // toUri marks a directory with a trailing slash
        }
        return percentDecoded(raw, raw.lastIndexOf('/', end - 1) + 1, end);
    }

    /** A symbolic link's target as {@link java.nio.file.Files#readSymbolicLink} returns it, as a byte string. */
    static String linkTarget(Path target) {
        String text = target.toString();
        if (GoString.isAscii(text)) {
            return text;
        }
        if (target.isAbsolute()) {
            String raw = target.toUri().getRawPath();
            return percentDecoded(raw, 0, trimmedEnd(raw, text));
        }
        // A relative target: toUri() resolves it against the working directory, whose bytes come first.
        String base = Path.of("").toAbsolutePath().toUri().getRawPath();
        String raw = Path.of("").toAbsolutePath().resolve(target).toUri().getRawPath();
        int from = base.endsWith("/") ? base.length() : base.length() + 1;
        return percentDecoded(raw, from, trimmedEnd(raw, text));
    }

    // toUri appends '/' when the path names a directory; a target keeps a trailing slash only if it had one.
    private static int trimmedEnd(String raw, String text) {
        return raw.endsWith("/") && !text.endsWith("/") ? raw.length() - 1 : raw.length();
    }

    private static String percentDecoded(String s, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < to) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
