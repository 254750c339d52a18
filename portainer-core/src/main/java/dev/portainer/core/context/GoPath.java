package dev.portainer.core.context;

/**
 * The parts of Go's {@code path/filepath} (Unix flavour) that Docker's .dockerignore handling relies on, ported
 * so that our results agree with the Docker CLI's byte for byte: {@code Clean}, {@code Dir} and the syntax check
 * {@code patternmatcher.New} performs by calling {@code filepath.Match(pattern, ".")}.
 */
final class GoPath {
    private GoPath() {
    }

    /** Go's {@code filepath.Clean}: the shortest lexically equivalent path; "" becomes ".". */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.charAt(0) == '/';
        int n = path.length();
        StringBuilder out = new StringBuilder(n);
        int r = 0;
        int dotdot = 0;
        if (rooted) {
            out.append('/');
            r = 1;
            dotdot = 1;
        }
        while (r < n) {
            char c = path.charAt(r);
            if (c == '/') {
                r++;
            } else if (c == '.' && (r + 1 == n || path.charAt(r + 1) == '/')) {
                r++;
            } else if (c == '.' && path.charAt(r + 1) == '.' && (r + 2 == n || path.charAt(r + 2) == '/')) {
                r += 2;
                if (out.length() > dotdot) {
                    int w = out.length() - 1;
                    while (w > dotdot && out.charAt(w) != '/') {
                        w--;
                    }
                    out.setLength(w);
                } else if (!rooted) {
                    if (out.length() > 0) {
                        out.append('/');
                    }
                    out.append("..");
                    dotdot = out.length();
                }
            } else {
                if (rooted && out.length() != 1 || !rooted && out.length() != 0) {
                    out.append('/');
                }
                while (r < n && path.charAt(r) != '/') {
                    out.append(path.charAt(r++));
                }
            }
        }
        return out.length() == 0 ? "." : out.toString();
    }

    /** Go's {@code filepath.Dir}: everything but the last element, cleaned. */
    static String dir(String path) {
        int i = path.length() - 1;
        while (i >= 0 && path.charAt(i) != '/') {
            i--;
        }
        return clean(path.substring(0, i + 1));
    }

    /**
     * Fails exactly when Go's {@code filepath.Match} reports {@code ErrBadPattern} (Go validates the whole pattern,
     * whatever the name), with a reason a person can act on.
     */
    static void checkGlobSyntax(String pattern) throws BadPatternException {
        int[] p = pattern.codePoints().toArray();
        int i = 0;
        while (i < p.length) {
            // scanChunk: leading stars, then up to the next star outside a [...] range.
            while (i < p.length && p[i] == '*') {
                i++;
            }
            int start = i;
            boolean inRange = false;
            int end = i;
            for (; end < p.length; end++) {
                int c = p[end];
                if (c == '\\') {
                    if (end + 1 < p.length) {
                        end++;
                    }
                } else if (c == '[') {
                    inRange = true;
                } else if (c == ']') {
                    inRange = false;
                } else if (c == '*' && !inRange) {
                    break;
                }
            }
            checkChunk(p, start, end);
            i = end;
        }
    }

    // The error paths of Go's matchChunk; they do not depend on the name being matched.
    private static void checkChunk(int[] p, int from, int to) throws BadPatternException {
        int i = from;
        while (i < to) {
            int c = p[i];
            if (c == '[') {
                i++;
                if (i < to && p[i] == '^') {
                    i++;
                }
                int ranges = 0;
                while (true) {
                    if (i < to && p[i] == ']' && ranges > 0) {
                        i++;
                        break;
                    }
                    i = checkRangeChar(p, i, to);
                    if (p[i] == '-') {
                        i = checkRangeChar(p, i + 1, to);
                    }
                    ranges++;
                }
            } else if (c == '\\') {
                i++;
                if (i >= to) {
                    throw new BadPatternException("it ends with a lone backslash '\\' (escape it as '\\\\')");
                }
                i++;
            } else {
                i++;
            }
        }
    }

    // Go's getEsc: one (possibly escaped) character of a range, which must not be the last of the chunk.
    private static int checkRangeChar(int[] p, int i, int to) throws BadPatternException {
        if (i >= to) {
            throw new BadPatternException("a character class '[' is not closed with ']'");
        }
        if (p[i] == '-' || p[i] == ']') {
            throw new BadPatternException("a character class has '" + (char) p[i]
                    + "' where a character was expected (escape it with '\\')");
        }
        if (p[i] == '\\') {
            i++;
            if (i >= to) {
                throw new BadPatternException("a character class '[' is not closed with ']'");
            }
        }
        i++;
        if (i >= to) {
            throw new BadPatternException("a character class '[' is not closed with ']'");
        }
        return i;
    }
}
