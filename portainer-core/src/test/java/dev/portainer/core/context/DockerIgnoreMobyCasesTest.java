package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * moby/patternmatcher's own test tables (patternmatcher_test.go and ignorefile_test.go at 5a6d842), so that our
 * matcher answers exactly as the Docker CLI does.
 */
class DockerIgnoreMobyCasesTest {

    // TestMatches: one pattern, one path, expected "excluded".
    static Stream<Arguments> singlePatternCases() {
        return Stream.of(
                Arguments.of("**", "file", true),
                Arguments.of("**", "file/", true),
                Arguments.of("**/", "file", true),
                Arguments.of("**/", "file/", true),
                Arguments.of("**", "/", true),
                Arguments.of("**/", "/", true),
                Arguments.of("**", "dir/file", true),
                Arguments.of("**/", "dir/file", true),
                Arguments.of("**", "dir/file/", true),
                Arguments.of("**/", "dir/file/", true),
                Arguments.of("**/**", "dir/file", true),
                Arguments.of("**/**", "dir/file/", true),
                Arguments.of("dir/**", "dir/file", true),
                Arguments.of("dir/**", "dir/file/", true),
                Arguments.of("dir/**", "dir/dir2/file", true),
                Arguments.of("dir/**", "dir/dir2/file/", true),
                Arguments.of("**/dir", "dir", true),
                Arguments.of("**/dir", "dir/file", true),
                Arguments.of("**/dir2/*", "dir/dir2/file", true),
                Arguments.of("**/dir2/*", "dir/dir2/file/", true),
                Arguments.of("**/dir2/**", "dir/dir2/dir3/file", true),
                Arguments.of("**/dir2/**", "dir/dir2/dir3/file/", true),
                Arguments.of("**file", "file", true),
                Arguments.of("**file", "dir/file", true),
                Arguments.of("**/file", "dir/file", true),
                Arguments.of("**file", "dir/dir/file", true),
                Arguments.of("**/file", "dir/dir/file", true),
                Arguments.of("**/file*", "dir/dir/file", true),
                Arguments.of("**/file*", "dir/dir/file.txt", true),
                Arguments.of("**/file*txt", "dir/dir/file.txt", true),
                Arguments.of("**/file*.txt", "dir/dir/file.txt", true),
                Arguments.of("**/file*.txt*", "dir/dir/file.txt", true),
                Arguments.of("**/**/*.txt", "dir/dir/file.txt", true),
                Arguments.of("**/**/*.txt2", "dir/dir/file.txt", false),
                Arguments.of("**/*.txt", "file.txt", true),
                Arguments.of("**/**/*.txt", "file.txt", true),
                Arguments.of("a**/*.txt", "a/file.txt", true),
                Arguments.of("a**/*.txt", "a/dir/file.txt", true),
                Arguments.of("a**/*.txt", "a/dir/dir/file.txt", true),
                Arguments.of("a/*.txt", "a/dir/file.txt", false),
                Arguments.of("a/*.txt", "a/file.txt", true),
                Arguments.of("a/*.txt**", "a/file.txt", true),
                Arguments.of("a[b-d]e", "ae", false),
                Arguments.of("a[b-d]e", "ace", true),
                Arguments.of("a[b-d]e", "aae", false),
                Arguments.of("a[^b-d]e", "aze", true),
                Arguments.of(".*", ".foo", true),
                Arguments.of(".*", "foo", false),
                Arguments.of("abc.def", "abcdef", false),
                Arguments.of("abc.def", "abc.def", true),
                Arguments.of("abc.def", "abcZdef", false),
                Arguments.of("abc?def", "abcZdef", true),
                Arguments.of("abc?def", "abcdef", false),
                Arguments.of("a\\\\", "a\\", true),
                Arguments.of("**/foo/bar", "foo/bar", true),
                Arguments.of("**/foo/bar", "dir/foo/bar", true),
                Arguments.of("**/foo/bar", "dir/dir2/foo/bar", true),
                Arguments.of("abc/**", "abc", false),
                Arguments.of("abc/**", "abc/def", true),
                Arguments.of("abc/**", "abc/def/ghi", true),
                Arguments.of("**/.foo", ".foo", true),
                Arguments.of("**/.foo", "bar.foo", false),
                Arguments.of("a(b)c/def", "a(b)c/def", true),
                Arguments.of("a(b)c/def", "a(b)c/xyz", false),
                Arguments.of("a.|)$(}+{bc", "a.|)$(}+{bc", true),
                Arguments.of("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
                        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true),
                Arguments.of("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true),
                Arguments.of("a\\*b", "a*b", true));
    }

    // TestMatches' multiPatternTests.
    static Stream<Arguments> multiPatternCases() {
        return Stream.of(
                Arguments.of(List.of("**", "!util/docker/web"), "util/docker/web/foo", false),
                Arguments.of(List.of("**", "!util/docker/web", "util/docker/web/foo"), "util/docker/web/foo", true),
                Arguments.of(List.of("**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"),
                        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false),
                Arguments.of(List.of("**", "!dist/*.whl"),
                        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false));
    }

    static Stream<Arguments> allMatchCases() {
        return Stream.concat(singlePatternCases().map(a -> Arguments.of(List.of((String) a.get()[0]), a.get()[1],
                a.get()[2])), multiPatternCases());
    }

    @ParameterizedTest(name = "{0} excludes {1}: {2}")
    @MethodSource("allMatchCases")
    void excludesPathOrParentLikeMatchesOrParentMatches(List<String> patterns, String path, boolean excluded)
            throws Exception {
        assertEquals(excluded, DockerIgnore.of(patterns).isExcluded(path));
    }

    @ParameterizedTest(name = "{0} excludes {1} walking down: {2}")
    @MethodSource("allMatchCases")
    void excludesPathWhenWalkedDownFromTheRootLikeMatchesUsingParentResults(List<String> patterns, String path,
                                                                          boolean excluded) throws Exception {
        DockerIgnore ignore = DockerIgnore.of(patterns);
        DockerIgnore.Match parent = DockerIgnore.Match.ROOT;
        String parentPath = GoPath.dir(path);
        if (!parentPath.equals(".")) {
            String[] dirs = parentPath.split("/", -1);
            for (int i = 0; i < dirs.length; i++) {
                parent = ignore.match(String.join("/", List.of(dirs).subList(0, i + 1)), parent);
            }
        }
        assertEquals(excluded, ignore.match(path, parent).excluded());
    }

    @ParameterizedTest(name = "{0} excludes {1} without parent results: {2}")
    @MethodSource("allMatchCases")
    void excludesPathWithoutParentResultsLikeMatchesUsingParentResultsNoContext(List<String> patterns, String path,
                                                                              boolean excluded) throws Exception {
        assertEquals(excluded, DockerIgnore.of(patterns).match(path, DockerIgnore.Match.ROOT).excluded());
    }

    // TestMatch: Go's filepath.Match table run through moby's (legacy) Matches; null = ErrBadPattern.
    static Stream<Arguments> legacyMatchCases() {
        return Stream.of(
                Arguments.of("abc", "abc", true),
                Arguments.of("*", "abc", true),
                Arguments.of("*c", "abc", true),
                Arguments.of("a*", "a", true),
                Arguments.of("a*", "abc", true),
                Arguments.of("a*", "ab/c", true),
                Arguments.of("a*/b", "abc/b", true),
                Arguments.of("a*/b", "a/c/b", false),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxe/f", true),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
                Arguments.of("a*b?c*x", "abxbbxdbxebxczzx", true),
                Arguments.of("a*b?c*x", "abxbbxdbxebxczzy", false),
                Arguments.of("ab[c]", "abc", true),
                Arguments.of("ab[b-d]", "abc", true),
                Arguments.of("ab[e-g]", "abc", false),
                Arguments.of("ab[^c]", "abc", false),
                Arguments.of("ab[^b-d]", "abc", false),
                Arguments.of("ab[^e-g]", "abc", true),
                Arguments.of("a\\*b", "a*b", true),
                Arguments.of("a\\*b", "ab", false),
                Arguments.of("a?b", "a☺b", true),
                Arguments.of("a[^a]b", "a☺b", true),
                Arguments.of("a???b", "a☺b", false),
                Arguments.of("a[^a][^a][^a]b", "a☺b", false),
                Arguments.of("[a-ζ]*", "α", true),
                Arguments.of("*[a-ζ]", "A", false),
                Arguments.of("a?b", "a/b", false),
                Arguments.of("a*b", "a/b", false),
                Arguments.of("[\\]a]", "]", true),
                Arguments.of("[\\-]", "-", true),
                Arguments.of("[x\\-]", "x", true),
                Arguments.of("[x\\-]", "-", true),
                Arguments.of("[x\\-]", "z", false),
                Arguments.of("[\\-x]", "x", true),
                Arguments.of("[\\-x]", "-", true),
                Arguments.of("[\\-x]", "a", false),
                Arguments.of("*x", "xxx", true));
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @MethodSource("legacyMatchCases")
    void matchesLikeGoFilepathMatchTable(String pattern, String path, boolean matches) throws Exception {
        assertEquals(matches, DockerIgnore.of(List.of(pattern)).matchesLegacy(path));
    }

    @ParameterizedTest(name = "{0} is rejected")
    @MethodSource
    void rejectsPatternsGoFilepathMatchCallsBad(String pattern) {
        assertThrows(DockerIgnoreException.class, () -> DockerIgnore.of(List.of(pattern)));
    }

    static Stream<String> rejectsPatternsGoFilepathMatchCallsBad() {
        return Stream.of("[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "!");
    }

    // TestCompile: how moby classifies a pattern, and the Go regexp it generates.
    static Stream<Arguments> compileCases() {
        return Stream.of(
                Arguments.of("*", "REGEXP", "^[^/]*$"),
                Arguments.of("file*", "REGEXP", "^file[^/]*$"),
                Arguments.of("*file", "REGEXP", "^[^/]*file$"),
                Arguments.of("a*/b", "REGEXP", "^a[^/]*/b$"),
                Arguments.of("**", "SUFFIX", null),
                Arguments.of("**/**", "REGEXP", "^(.*/)?.*$"),
                Arguments.of("dir/**", "PREFIX", null),
                Arguments.of("**/dir", "SUFFIX", null),
                Arguments.of("**/dir2/*", "REGEXP", "^(.*/)?dir2/[^/]*$"),
                Arguments.of("**/dir2/**", "REGEXP", "^(.*/)?dir2/.*$"),
                Arguments.of("**file", "SUFFIX", null),
                Arguments.of("**/file*txt", "REGEXP", "^(.*/)?file[^/]*txt$"),
                Arguments.of("**/**/*.txt", "REGEXP", "^(.*/)?(.*/)?[^/]*\\.txt$"),
                Arguments.of("a[b-d]e", "REGEXP", "^a[b-d]e$"),
                Arguments.of(".*", "REGEXP", "^\\.[^/]*$"),
                Arguments.of("abc.def", "EXACT", null),
                Arguments.of("abc?def", "REGEXP", "^abc[^/]def$"),
                Arguments.of("**/foo/bar", "SUFFIX", null),
                Arguments.of("a(b)c/def", "EXACT", null),
                Arguments.of("a.|)$(}+{bc", "EXACT", null),
                Arguments.of("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "EXACT", null));
    }

    @ParameterizedTest(name = "{0} compiles to {1} {2}")
    @MethodSource("compileCases")
    void compilesPatternToTheSameKindAndRegexpAsMoby(String pattern, String kind, String goRegexp) {
        IgnorePattern.GoForm form = IgnorePattern.goForm(GoPath.clean(pattern));
        assertEquals(kind, form.kind().name());
        assertEquals(goRegexp, form.goRegexp());
    }

    @Test
    void matchesAnyFileWithStar() throws Exception {
        assertTrue(DockerIgnore.of(List.of("*")).matchesLegacy("fileutils.go"));
        assertTrue(DockerIgnore.of(List.of("*.go")).matchesLegacy("fileutils.go"));
    }

    @Test
    void exceptionBeforeTheRuleDoesNotReinclude() throws Exception {
        assertTrue(DockerIgnore.of(List.of("!fileutils.go", "*.go")).matchesLegacy("fileutils.go"));
    }

    @Test
    void exceptionAfterTheRuleReincludes() throws Exception {
        assertFalse(DockerIgnore.of(List.of("*.go", "!fileutils.go")).matchesLegacy("fileutils.go"));
    }

    @ParameterizedTest(name = "{0} then !docs/README.md keeps the README")
    @MethodSource
    void folderRuleWithExceptionKeepsTheExceptedFile(String folderPattern) throws Exception {
        DockerIgnore ignore = DockerIgnore.of(List.of(folderPattern, "!docs/README.md"));
        assertFalse(ignore.matchesLegacy("docs/README.md"));
        assertFalse(ignore.isExcluded("docs/README.md"));
        assertTrue(ignore.isExcluded("docs/other.md"));
    }

    static Stream<String> folderRuleWithExceptionKeepsTheExceptedFile() {
        return Stream.of("docs", "docs/", "docs/*");
    }

    @Test
    void neverExcludesTheContextRootItself() throws Exception {
        assertFalse(DockerIgnore.of(List.of("*.go")).matchesLegacy("."));
    }

    @Test
    void excludesNothingWithoutPatterns() throws Exception {
        assertFalse(DockerIgnore.of(List.of()).matchesLegacy("/any/path/there"));
        assertFalse(DockerIgnore.empty().isExcluded("any/path/there"));
    }

    @Test
    void dropsEmptyPatternsAndFlagsExceptionsAfterTrimming() throws Exception {
        assertFalse(DockerIgnore.of(List.of("docs", "config", "")).hasExceptions());
        assertTrue(DockerIgnore.of(List.of("docs", "  !docs/README.md")).hasExceptions());
        assertTrue(DockerIgnore.of(List.of("docs", "!docs/README.md  ")).hasExceptions());
    }

    @Test
    void rejectsEagerlyARangeGoRegexpCannotCompile() {
        // moby's regression case 52203: passes filepath.Match's check, fails when first matched. We fail at parse
        // time instead, which is when the user can still fix it.
        DockerIgnoreException e = assertThrows(DockerIgnoreException.class,
                () -> DockerIgnore.of(List.of("[Local-Only]/")));
        assertTrue(e.getMessage().contains("invalid character class range"), e.getMessage());
    }

    // ignorefile_test.go TestReadAll.
    @Test
    void readsPatternsLikeIgnorefileReadAll() {
        String content = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
        assertEquals(List.of("test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"),
                DockerIgnore.readPatterns(content));
    }

    @Test
    void readsNoPatternsFromEmptyContent() {
        assertEquals(List.of(), DockerIgnore.readPatterns(""));
    }

    @Test
    void goRegexpIsNullForStringMatchedPatterns() {
        assertNull(IgnorePattern.goForm("abc").goRegexp());
    }
}
