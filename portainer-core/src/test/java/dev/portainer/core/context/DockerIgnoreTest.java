package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Behaviour of .dockerignore handling beyond moby's own tables: file parsing, errors, Docker CLI rules. */
class DockerIgnoreTest {

    @Test
    void namesFileAndLineOfAnUnterminatedCharacterClass() {
        DockerIgnoreException e = assertThrows(DockerIgnoreException.class,
                () -> DockerIgnore.parse("target\n# comment\n\nsrc/[abc\n", "/ctx/.dockerignore"));
        assertEquals(4, e.line());
        assertEquals("src/[abc", e.pattern());
        assertTrue(e.getMessage().contains("line 4 of /ctx/.dockerignore"), e.getMessage());
        assertTrue(e.getMessage().contains("not closed with ']'"), e.getMessage());
    }

    @Test
    void rejectsLoneExclamationMarkNamingTheLine() {
        DockerIgnoreException e = assertThrows(DockerIgnoreException.class,
                () -> DockerIgnore.parse("a\n!\n", ".dockerignore"));
        assertEquals(2, e.line());
    }

    @Test
    void treatsHashAsCommentOnlyInTheFirstColumn() throws Exception {
        assertEquals(List.of("# not a comment"), DockerIgnore.readPatterns("# comment\n  # not a comment\n"));
    }

    @Test
    void stripsByteOrderMarkAndCarriageReturns() {
        assertEquals(List.of("a", "b"), DockerIgnore.readPatterns(GoString.ofText("\uFEFFa\r\nb\r\n")));
    }

    @Test
    void cleansPatternsAndStripsLeadingSlash() {
        assertEquals(List.of("a/b", "c", "!d/e", "../x"), DockerIgnore.readPatterns("./a//b/\n/c/.\n! /d/e/\n../x"));
    }

    @Test
    void exclamationInsideClassIsLiteralAsInDockerNotNegation() throws Exception {
        // moby hands "[!a]" to Go's regexp, where '!' is just a member: Docker does not negate with '!'.
        DockerIgnore ignore = DockerIgnore.of(List.of("x[!a]"));
        assertTrue(ignore.isExcluded("x!"));
        assertTrue(ignore.isExcluded("xa"));
        assertFalse(ignore.isExcluded("xb"));
    }

    @ParameterizedTest(name = "{0} excludes {1}: {2}")
    @CsvSource({
            "'x[^a]', xb, true",
            "'x[^a]', xa, false",
            "'[[:digit:]]*.log', 1.log, true",
            "'[[:digit:]]*.log', a.log, false",
            "'file\\[1\\]', 'file[1]', true",
            "'*.md', docs/README.md, false",
            "'**/*.md', docs/README.md, true",
            "'docs/**', docs, false",
            "'docs/**', docs/a/b, true",
            "'/build', build/classes/A.class, true",
            "'?', a/b, true",
    })
    void matchesGlobSyntaxLikeDocker(String pattern, String path, boolean excluded) throws Exception {
        assertEquals(excluded, DockerIgnore.parse(pattern + "\n", ".dockerignore").isExcluded(path));
    }

    @Test
    void lastMatchingPatternWins() throws Exception {
        DockerIgnore ignore = DockerIgnore.parse("*.md\n!README*.md\nREADME-secret.md\n", ".dockerignore");
        assertTrue(ignore.isExcluded("CHANGES.md"));
        assertFalse(ignore.isExcluded("README.md"));
        assertTrue(ignore.isExcluded("README-secret.md"));
    }

    @Test
    void keepsDockerfileAndDockerignoreEvenWhenExcluded() throws Exception {
        DockerIgnore ignore = DockerIgnore.parse("*\n", ".dockerignore").keepingBuildFiles("docker/Dockerfile");
        assertEquals(List.of("*", "!.dockerignore", "!docker/Dockerfile"), ignore.patterns());
        assertFalse(ignore.isExcluded(".dockerignore"));
        assertFalse(ignore.isExcluded("docker/Dockerfile"));
        assertTrue(ignore.isExcluded("docker/other"));
        assertTrue(ignore.mustDescendInto("docker"));
    }

    @Test
    void addsNoExceptionsWhenBuildFilesAreNotExcluded() throws Exception {
        DockerIgnore ignore = DockerIgnore.parse("target\n", ".dockerignore");
        assertEquals(List.of("target"), ignore.keepingBuildFiles("Dockerfile").patterns());
    }

    @Test
    void descendsIntoExcludedDirectoryOnlyForALiteralExceptionBelowIt() throws Exception {
        assertTrue(DockerIgnore.of(List.of("build", "!build/keep.txt")).mustDescendInto("build"));
        // moby compares the exception's text as a prefix, so a '**' exception does not reach inside
        assertFalse(DockerIgnore.of(List.of("build", "!**/keep.txt")).mustDescendInto("build"));
        assertFalse(DockerIgnore.of(List.of("build")).mustDescendInto("build"));
        assertFalse(DockerIgnore.of(List.of("build", "!buildx/a")).mustDescendInto("build"));
    }

    @Test
    void rejectsRegexpEscapesDockerWouldMisread() {
        DockerIgnoreException e = assertThrows(DockerIgnoreException.class,
                () -> DockerIgnore.parse("a\\y\n", ".dockerignore"));
        assertTrue(e.getMessage().contains("escape"), e.getMessage());
    }

    @Test
    void matchesHostilePatternsInLinearTime() throws Exception {
        // java.util.regex backtracked for minutes on this; moby's patterns are RE2 regexps, which cannot.
        DockerIgnore ignore = DockerIgnore.of(List.of("**/" + "a*".repeat(20) + "b",
                "**/".repeat(16) + "x"));
        String name = "a".repeat(70) + "c";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(ignore.isExcluded(name));
            assertFalse(ignore.isExcluded("d/".repeat(30) + name));
        });
    }

    @Test
    void matchesNamesAsBytesAndRunesAsGoDoes() throws Exception {
        String latin1Name = GoString.of(new byte[] {'c', 'a', 'f', (byte) 0xE9, '.', 't', 'x', 't'});
        String utf8Name = GoString.ofText("café.txt");
        // a Latin-1 .dockerignore names the Latin-1 file, byte for byte, and nothing else
        DockerIgnore exact = DockerIgnore.parse(latin1Name + "\n", ".dockerignore");
        assertTrue(exact.isExcluded(latin1Name));
        assertFalse(exact.isExcluded(utf8Name));
        // '?' is one rune: a whole UTF-8 character, or one byte that is not UTF-8
        DockerIgnore wildcard = DockerIgnore.of(List.of("caf?.txt"));
        assertTrue(wildcard.isExcluded(latin1Name));
        assertTrue(wildcard.isExcluded(utf8Name));
        assertFalse(wildcard.isExcluded(GoString.of(new byte[] {'c', 'a', 'f', (byte) 0xC3, (byte) 0xA9, (byte) 0xE9,
                '.', 't', 'x', 't'})));
    }

    @Test
    void trimsSpaceAsGoDoesOnBytes() {
        assertEquals(List.of("a", "b"), DockerIgnore.readPatterns(GoString.ofText("\u00A0a\u2003\n b \n")));
        // a lone 0xA0 byte is not UTF-8, so not a space
        assertEquals(List.of("a\u00A0"), DockerIgnore.readPatterns(GoString.of(new byte[] {'a', (byte) 0xA0})));
    }
}
