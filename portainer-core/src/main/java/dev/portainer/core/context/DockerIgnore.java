package dev.portainer.core.context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rules of a {@code .dockerignore} file, parsed and matched exactly as the Docker CLI does (moby's
 * {@code ignorefile.ReadAll} and {@code patternmatcher}): comments, {@code !} exceptions, {@code **}, the last
 * matching pattern wins, an excluded directory excludes what is below it. Patterns and paths are byte strings
 * ({@link GoString}), as Go's are: the file is read as bytes, whatever its encoding. Immutable.
 */
public final class DockerIgnore {
    /** The file's name in the context directory. */
    public static final String FILE_NAME = ".dockerignore";

    private static final DockerIgnore EMPTY = new DockerIgnore(List.of(), List.of());

    private final List<String> patterns;
    private final List<IgnorePattern> compiled;
    private final boolean hasExceptions;

    private DockerIgnore(List<String> patterns, List<IgnorePattern> compiled) {
        this.patterns = List.copyOf(patterns);
        this.compiled = List.copyOf(compiled);
        this.hasExceptions = compiled.stream().anyMatch(IgnorePattern::isException);
    }

    /** No rules: nothing is excluded. */
    public static DockerIgnore empty() {
        return EMPTY;
    }

    /** Reads {@code contextDir/.dockerignore} as bytes; no such file means no rules, as in Docker. */
    public static DockerIgnore read(Path contextDir) throws ContextException {
        Path file = contextDir.resolve(FILE_NAME);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            throw new ContextException("Cannot read " + file + ": " + e.getMessage()
                    + ". Make it readable or delete it.", e);
        }
        return parse(GoString.of(content), file.toString());
    }

    /**
     * Parses the content of a .dockerignore file, given as a byte string ({@link GoString#of}; ASCII text is its own
     * byte string).
     *
     * @param source what to call the file in error messages, e.g. its path
     * @throws DockerIgnoreException naming the line of a pattern Docker would reject
     */
    public static DockerIgnore parse(String content, String source) throws DockerIgnoreException {
        List<String> patterns = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        readAll(content, patterns, lines);
        return compile(patterns, lines, source);
    }

    /**
     * Rules from patterns as {@code ignorefile.ReadAll} returns them (what {@code patternmatcher.New} takes).
     *
     * @throws DockerIgnoreException naming the position of a pattern Docker would reject
     */
    public static DockerIgnore of(List<String> patterns) throws DockerIgnoreException {
        List<Integer> lines = new ArrayList<>();
        for (int i = 1; i <= patterns.size(); i++) {
            lines.add(i);
        }
        return compile(patterns, lines, "the ignore pattern list");
    }

    /** A port of moby's {@code ignorefile.ReadAll}: the patterns of a .dockerignore, normalised. */
    public static List<String> readPatterns(String content) {
        List<String> patterns = new ArrayList<>();
        readAll(content, patterns, new ArrayList<>());
        return patterns;
    }

    private static void readAll(String content, List<String> patterns, List<Integer> lineNumbers) {
        // the UTF-8 byte order mark, as bytes
        if (content.startsWith("\u00EF\u00BB\u00BF")) {
            content = content.substring(3);
        }
        // bufio.Scanner's ScanLines: split on \n, drop one trailing \r, no empty last line
        String[] lines = content.split("\n", -1);
        int count = content.endsWith("\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i < count; i++) {
            String pattern = lines[i];
            if (pattern.endsWith("\r")) {
                pattern = pattern.substring(0, pattern.length() - 1);
            }
            // only a '#' in the very first column starts a comment
            if (pattern.startsWith("#")) {
                continue;
            }
            pattern = GoString.trimSpace(pattern);
            if (pattern.isEmpty()) {
                continue;
            }
            boolean invert = pattern.charAt(0) == '!';
            if (invert) {
                pattern = GoString.trimSpace(pattern.substring(1));
            }
            if (!pattern.isEmpty()) {
                pattern = GoPath.clean(pattern);
                // paths are relative to the context root: "/foo" is "foo"
                if (pattern.length() > 1 && pattern.charAt(0) == '/') {
                    pattern = pattern.substring(1);
                }
            }
            patterns.add(invert ? "!" + pattern : pattern);
            lineNumbers.add(i + 1);
        }
    }

    private static DockerIgnore compile(List<String> patterns, List<Integer> lines, String source)
            throws DockerIgnoreException {
        List<IgnorePattern> compiled = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            try {
                IgnorePattern p = IgnorePattern.parse(patterns.get(i));
                if (p != null) {
                    compiled.add(p);
                }
            } catch (BadPatternException e) {
                throw new DockerIgnoreException(source, lines.get(i), patterns.get(i), e.getMessage());
            }
        }
        return new DockerIgnore(patterns, compiled);
    }

    /**
     * These rules plus exceptions that keep the Dockerfile and .dockerignore in the context even when a pattern
     * excludes them, as the Docker CLI's {@code TrimBuildFilesFromExcludes} does (the daemon needs the Dockerfile
     * and drops both files from what COPY sees itself).
     *
     * @param dockerfile the Dockerfile's '/'-separated path relative to the context
     * @throws DockerIgnoreException if the Dockerfile's name is not a valid pattern and must be re-included
     */
    public DockerIgnore keepingBuildFiles(String dockerfile) throws DockerIgnoreException {
        List<String> result = new ArrayList<>(patterns);
        if (legacyMatches(compiled, FILE_NAME)) {
            result.add("!" + FILE_NAME);
        }
        // a Dockerfile whose name has glob characters yields an exception pattern Docker rejects too
        if (legacyMatches(of(result).compiled, dockerfile)) {
            result.add("!" + dockerfile);
        }
        return result.size() == patterns.size() ? this : of(result);
    }

    /** The patterns, '!' included, as read (blank ones included, as moby keeps them until New). */
    public List<String> patterns() {
        return patterns;
    }

    /** Whether any pattern is an exception ({@code !...}). */
    public boolean hasExceptions() {
        return hasExceptions;
    }

    /**
     * Whether the '/'-separated path, relative to the context, is excluded: by the last pattern that matches it
     * or one of its parent directories (moby's {@code MatchesOrParentMatches}).
     */
    public boolean isExcluded(String path) {
        boolean matched = false;
        String parent = GoPath.dir(path);
        String[] parentDirs = parent.split("/", -1);
        for (IgnorePattern pattern : compiled) {
            if (pattern.isException() != matched) {
                continue; // cannot change the outcome
            }
            boolean match = pattern.matches(path);
            if (!match && !parent.equals(".")) {
                for (int i = 0; i < parentDirs.length && !match; i++) {
                    match = pattern.matches(String.join("/", Arrays.copyOfRange(parentDirs, 0, i + 1)));
                }
            }
            if (match) {
                matched = !pattern.isException();
            }
        }
        return matched;
    }

    /**
     * moby's deprecated package-level {@code Matches}, which tries only the parent directory with as many
     * components as the pattern. The Docker CLI still uses it to decide whether to keep the Dockerfile and
     * .dockerignore, so {@link #keepingBuildFiles} must too.
     */
    public boolean matchesLegacy(String path) {
        return legacyMatches(compiled, path);
    }

    private static boolean legacyMatches(List<IgnorePattern> compiled, String file) {
        file = GoPath.clean(file);
        if (file.equals(".")) {
            return false; // moby refuses to exclude the whole context
        }
        boolean matched = false;
        String parent = GoPath.dir(file);
        String[] parentDirs = parent.split("/", -1);
        for (IgnorePattern pattern : compiled) {
            if (pattern.isException() != matched) {
                continue;
            }
            boolean match = pattern.matches(file);
            int patternDirs = pattern.text().split("/", -1).length;
            if (!match && !parent.equals(".") && patternDirs <= parentDirs.length) {
                match = pattern.matches(String.join("/", Arrays.copyOfRange(parentDirs, 0, patternDirs)));
            }
            if (match) {
                matched = !pattern.isException();
            }
        }
        return matched;
    }

    /**
     * Matches a path given its parent directory's result, as Docker's context walk does (moby's
     * {@code MatchesUsingParentResults}): a pattern that matched the parent counts as matching the child.
     *
     * @param path   '/'-separated, relative to the context
     * @param parent the result for the parent directory, or {@link Match#ROOT} for a top-level path (then the
     *               parents are tried against every pattern, as for {@link #isExcluded})
     */
    public Match match(String path, Match parent) {
        boolean[] parentMatched = parent.perPattern;
        if (parentMatched.length != 0 && parentMatched.length != compiled.size()) {
            throw new IllegalArgumentException("the parent result comes from different rules");
        }
        boolean matched = false;
        boolean[] perPattern = new boolean[compiled.size()];
        for (int i = 0; i < compiled.size(); i++) {
            IgnorePattern pattern = compiled.get(i);
            boolean match = parentMatched.length != 0 && parentMatched[i];
            if (!match) {
                if (pattern.isException() != matched) {
                    continue;
                }
                match = pattern.matches(path);
                if (!match && parentMatched.length == 0) {
                    String parentPath = GoPath.dir(path);
                    if (!parentPath.equals(".")) {
                        String[] dirs = parentPath.split("/", -1);
                        for (int d = 0; d < dirs.length && !match; d++) {
                            match = pattern.matches(String.join("/", Arrays.copyOfRange(dirs, 0, d + 1)));
                        }
                    }
                }
            }
            perPattern[i] = match;
            if (match) {
                matched = !pattern.isException();
            }
        }
        return new Match(matched, perPattern);
    }

    /**
     * Whether Docker still walks into an excluded directory because an exception pattern names something below
     * it (a literal prefix test, as in moby's archiver: {@code !**}{@code /keep} does not qualify).
     *
     * @param directory '/'-separated path of an excluded directory, relative to the context
     */
    public boolean mustDescendInto(String directory) {
        if (!hasExceptions) {
            return false;
        }
        String dirSlash = directory + "/";
        for (IgnorePattern pattern : compiled) {
            if (pattern.isException() && (pattern.text() + "/").startsWith(dirSlash)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "DockerIgnore" + patterns;
    }

    /** The outcome of {@link #match} for one path, carried down to its children. */
    public static final class Match {
        /** The result to pass for a path at the top of the context. */
        public static final Match ROOT = new Match(false, new boolean[0]);

        private final boolean excluded;
        private final boolean[] perPattern;

        private Match(boolean excluded, boolean[] perPattern) {
            this.excluded = excluded;
            this.perPattern = perPattern;
        }

        /** Whether the path is excluded from the context. */
        public boolean excluded() {
            return excluded;
        }
    }
}
