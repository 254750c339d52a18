package dev.portainer.core.context;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the Go (RE2) regular expressions that moby's patternmatcher generates into {@link Pattern}s with the
 * same meaning. moby copies '[' ']' and backslash escapes of a .dockerignore pattern into the regexp untouched,
 * so what they mean is RE2's business, not glob's: {@code [!a]} is the set {'!','a'}, {@code [[:digit:]]} is a
 * POSIX class, {@code [*]} becomes the odd {@code [[^/]*]}. Java's class syntax differs (nested classes,
 * {@code &&}), so this parses the RE2 syntax and re-emits every character escaped.
 */
final class GoRegex {
    // RE2's ASCII POSIX classes, as Java class bodies.
    private static final Map<String, String> POSIX = Map.ofEntries(
            Map.entry("alnum", "0-9A-Za-z"),
            Map.entry("alpha", "A-Za-z"),
            Map.entry("ascii", "\\x{0}-\\x{7F}"),
            Map.entry("blank", "\\t "),
            Map.entry("cntrl", "\\x{0}-\\x{1F}\\x{7F}"),
            Map.entry("digit", "0-9"),
            Map.entry("graph", "!-~"),
            Map.entry("lower", "a-z"),
            Map.entry("print", " -~"),
            Map.entry("punct", "!-/:-@\\[-`{-~"),
            Map.entry("space", "\\t\\n\\x{B}\\f\\r "),
            Map.entry("upper", "A-Z"),
            Map.entry("word", "0-9A-Za-z_"),
            Map.entry("xdigit", "0-9A-Fa-f"));

    // RE2's Perl classes (\d \s \w), which are ASCII-only in Go.
    private static final Map<Integer, String> PERL = Map.of(
            (int) 'd', "0-9",
            (int) 's', "\\t\\n\\f\\r ",
            (int) 'w', "0-9A-Za-z_");

    private final int[] re;
    private int pos;
    private final StringBuilder out = new StringBuilder();

    private GoRegex(String goRegex) {
        this.re = goRegex.codePoints().toArray();
    }

    /** The Java equivalent of the Go regexp; use {@code matcher(s).find()} as Go's MatchString searches. */
    static Pattern compile(String goRegex) throws BadPatternException {
        GoRegex t = new GoRegex(goRegex);
        t.translate();
        try {
            return Pattern.compile(t.out.toString());
        } catch (PatternSyntaxException e) {
            throw new BadPatternException("it is not a valid pattern (" + e.getDescription() + ")");
        }
    }

    private void translate() throws BadPatternException {
        while (pos < re.length) {
            int c = re[pos++];
            switch (c) {
                case '\\' -> out.append(escapeOutsideClass());
                case '[' -> out.append(characterClass());
                case '^' -> out.append('^'); // RE2 without (?m): start of text, as in Java without MULTILINE
                case '$' -> out.append("\\z"); // RE2 without (?m): end of text; Java's $ would allow a final \n
                case '.' -> out.append("[^\\n]"); // RE2's '.' excludes only \n; Java's excludes \r and more
                case '(' -> out.append("(?:");
                case ')', '|', '*', '+', '?' -> out.appendCodePoint(c);
                default -> out.append(literal(c)); // includes ']' and '{' '}', literals in RE2 here
            }
        }
    }

    private String escapeOutsideClass() throws BadPatternException {
        if (pos >= re.length) {
            throw new BadPatternException("it ends with a lone backslash '\\'");
        }
        int c = re[pos++];
        String perl = perlClass(c);
        return perl != null ? perl : literal(escapedChar(c));
    }

    private static String perlClass(int c) {
        String body = PERL.get(Character.toLowerCase(c));
        if (body == null) {
            return null;
        }
        return (Character.isUpperCase(c) ? "[^" : "[") + body + "]";
    }

    // RE2's parseEscape for the escapes a .dockerignore can sensibly contain.
    private static int escapedChar(int c) throws BadPatternException {
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
            return c; // escaped punctuation is itself
        }
        return switch (c) {
            case 'a' -> 0x07;
            case 'f' -> '\f';
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 'v' -> 0x0B;
            case 'x', 'p', 'P', 'A', 'z', 'b', 'B', 'Q', 'E', 'C', '0', '1', '2', '3', '4', '5', '6', '7' ->
                    throw new BadPatternException("it uses the regular-expression escape '\\" + Character.toString(c)
                            + "', which Portainer does not support in .dockerignore (escape only punctuation)");
            default -> throw new BadPatternException("it contains the invalid escape '\\" + Character.toString(c)
                    + "' (escape only punctuation such as '\\*' or '\\[')");
        };
    }

    // RE2's parseClass with Perl flags: ']' first is literal, '-' literal at either end, [:name:] classes.
    private String characterClass() throws BadPatternException {
        StringBuilder body = new StringBuilder();
        boolean negated = false;
        if (pos < re.length && re[pos] == '^') {
            negated = true;
            pos++;
        }
        boolean first = true;
        while (true) {
            if (pos >= re.length) {
                throw new BadPatternException("a character class '[' is not closed with ']'");
            }
            if (re[pos] == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            if (re[pos] == '[' && pos + 1 < re.length && re[pos + 1] == ':') {
                String named = namedClass();
                if (named != null) {
                    body.append(named);
                    continue;
                }
            }
            if (re[pos] == '\\' && pos + 1 < re.length && perlClass(re[pos + 1]) != null) {
                body.append(perlClass(re[pos + 1]));
                pos += 2;
                continue;
            }
            int lo = classChar();
            int hi = lo;
            if (pos + 1 < re.length && re[pos] == '-' && re[pos + 1] != ']') {
                pos++;
                hi = classChar();
                if (hi < lo) {
                    throw new BadPatternException("the character range '" + Character.toString(lo) + "-"
                            + Character.toString(hi) + "' is reversed");
                }
            }
            body.append(literal(lo));
            if (hi != lo) {
                body.append('-').append(literal(hi));
            }
        }
        return (negated ? "[^" : "[") + body + "]";
    }

    private int classChar() throws BadPatternException {
        int c = re[pos++];
        if (c != '\\') {
            return c;
        }
        if (pos >= re.length) {
            throw new BadPatternException("it ends with a lone backslash '\\'");
        }
        return escapedChar(re[pos++]);
    }

    // "[:alpha:]" or "[:^alpha:]" at pos; null (and pos unchanged) when there is no ":]", as RE2 then reads '['.
    private String namedClass() throws BadPatternException {
        int end = -1;
        for (int i = pos + 2; i + 1 < re.length; i++) {
            if (re[i] == ':' && re[i + 1] == ']') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return null;
        }
        String name = new String(re, pos + 2, end - pos - 2);
        boolean negated = name.startsWith("^");
        String body = POSIX.get(negated ? name.substring(1) : name);
        if (body == null) {
            throw new BadPatternException("it uses the unknown character class '[:" + name + ":]'");
        }
        pos = end + 2;
        return (negated ? "[^" : "[") + body + "]";
    }

    private static String literal(int c) {
        if (c < 0x80 && Character.isLetterOrDigit(c)) {
            return Character.toString(c);
        }
        return "\\x{" + Integer.toHexString(c) + "}";
    }
}
