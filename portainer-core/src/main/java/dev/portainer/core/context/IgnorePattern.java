package dev.portainer.core.context;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * One compiled .dockerignore pattern, matched the way moby's {@code patternmatcher.Pattern} does: the pattern is
 * turned into a Go regexp ({@code *} → {@code [^/]*}, {@code ?} → {@code [^/]}, {@code **} → any number of
 * directories) unless it is a plain name, a {@code prefix**} or a {@code **suffix}, which moby matches as strings.
 * Patterns and paths are byte strings ({@link GoString}): string matches compare bytes, as Go does; the regexp is
 * RE2's own syntax and semantics (RE2/J: linear time, so no pattern can make packing hang) over the runes Go
 * decodes.
 */
final class IgnorePattern {
    enum Kind { EXACT, PREFIX, SUFFIX, REGEXP }

    private final String cleaned;
    private final boolean exception;
    private final Kind kind;
    private final Pattern regexp;

    private IgnorePattern(String cleaned, boolean exception, Kind kind, Pattern regexp) {
        this.cleaned = cleaned;
        this.exception = exception;
        this.kind = kind;
        this.regexp = regexp;
    }

    /** As {@code patternmatcher.New} does for one entry (a byte string); null for a blank entry. */
    static IgnorePattern parse(String raw) throws BadPatternException {
        String p = GoString.trimSpace(raw);
        if (p.isEmpty()) {
            return null;
        }
        p = GoPath.clean(p);
        boolean exception = false;
        if (p.charAt(0) == '!') {
            if (p.length() == 1) {
                throw new BadPatternException("'!' must be followed by the pattern to re-include");
            }
            exception = true;
            p = p.substring(1);
        }
        GoPath.checkGlobSyntax(GoString.runes(p));
        return compile(p, exception);
    }

    /** The cleaned pattern without its '!', as moby's {@code Pattern.String()}. */
    String text() {
        return cleaned;
    }

    boolean isException() {
        return exception;
    }

    /** moby's {@code Pattern.match}: does this pattern match the '/'-separated path (parents are not tried). */
    boolean matches(String path) {
        return switch (kind) {
            case EXACT -> path.equals(cleaned);
            case PREFIX -> path.startsWith(cleaned.substring(0, cleaned.length() - 2));
            case SUFFIX -> {
                String suffix = cleaned.substring(2);
                // "**/foo" also matches "foo" itself
                yield path.endsWith(suffix) || suffix.charAt(0) == '/' && path.equals(suffix.substring(1));
            }
            case REGEXP -> regexp.matcher(GoString.runes(path)).find();
        };
    }

    private static IgnorePattern compile(String pattern, boolean exception) throws BadPatternException {
        // moby reads the pattern with text/scanner, rune by rune: an invalid byte becomes U+FFFD in the regexp.
        GoForm form = goForm(GoString.runes(pattern));
        Pattern compiled = null;
        if (form.kind() == Kind.REGEXP) {
            try {
                compiled = Pattern.compile(form.goRegexp());
            } catch (PatternSyntaxException e) {
                throw new BadPatternException("it is not a valid pattern (" + e.getDescription() + ")");
            }
        }
        return new IgnorePattern(pattern, exception, form.kind(), compiled);
    }

    /** How moby matches a cleaned pattern: its kind and, for REGEXP, the Go regexp text moby generates. */
    record GoForm(Kind kind, String goRegexp) {
    }

    // A port of moby's Pattern.compile for '/' as the separator, over the pattern's runes.
    static GoForm goForm(String pattern) {
        StringBuilder re = new StringBuilder("^");
        Kind kind = Kind.EXACT;
        int[] cps = pattern.codePoints().toArray();
        int at = 0;
        for (int i = 0; at < cps.length; i++) {
            int ch = cps[at++];
            if (ch == '*') {
                if (at < cps.length && cps[at] == '*') {
                    at++;
                    if (at < cps.length && cps[at] == '/') {
                        at++; // "**/" is "**"
                    }
                    if (at == cps.length) {
                        // trailing "**" accepts everything below, like .gitignore
                        if (kind == Kind.EXACT) {
                            kind = Kind.PREFIX;
                        } else {
                            re.append(".*");
                            kind = Kind.REGEXP;
                        }
                    } else {
                        // any number of directories, even none
                        re.append("(.*/)?");
                        kind = Kind.REGEXP;
                    }
                    if (i == 0) {
                        kind = Kind.SUFFIX;
                    }
                } else {
                    re.append("[^/]*");
                    kind = Kind.REGEXP;
                }
            } else if (ch == '?') {
                re.append("[^/]");
                kind = Kind.REGEXP;
            } else if (".+()|{}$".indexOf(ch) >= 0) {
                // regexp metacharacters that mean nothing to a glob
                re.append('\\').appendCodePoint(ch);
            } else if (ch == '\\') {
                if (at < cps.length) {
                    re.append('\\').appendCodePoint(cps[at++]);
                    kind = Kind.REGEXP;
                } else {
                    re.append('\\');
                }
            } else if (ch == '[' || ch == ']') {
                re.appendCodePoint(ch);
                kind = Kind.REGEXP;
            } else {
                re.appendCodePoint(ch);
            }
        }
        return new GoForm(kind, kind == Kind.REGEXP ? re.append('$').toString() : null);
    }
}
