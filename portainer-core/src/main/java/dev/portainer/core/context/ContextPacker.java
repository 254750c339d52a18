package dev.portainer.core.context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Packs a Docker build context directory into a reproducible tar.gz, in one streaming pass: walks the tree as
 * the Docker CLI does (depth first, names in byte order, .dockerignore applied, Dockerfile and .dockerignore
 * always kept), writes entries with fixed times, owners and modes, and hashes the archive while writing it.
 */
public final class ContextPacker {
    /** The Dockerfile's path when none is configured. */
    public static final String DEFAULT_DOCKERFILE = "Dockerfile";
    /** Fastest deflate: contexts are sent once over a fast network, CPU time in the build matters more. */
    public static final int DEFAULT_COMPRESSION_LEVEL = Deflater.BEST_SPEED;

    // Jib's choice: one second after the epoch, because some tools read a zero time as "unknown".
    private static final FileTime ENTRY_TIME = FileTime.fromMillis(1000);
    private static final int REGULAR = 0100000;
    private static final int DIRECTORY = 040000;
    private static final int SYMLINK = 0120000;
    private static final Set<PosixFilePermission> EXECUTE = Set.of(PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    private final int compressionLevel;
    private final ContextPackListener listener;

    /** Fast compression, no listener. */
    public ContextPacker() {
        this(DEFAULT_COMPRESSION_LEVEL, ContextPackListener.NONE);
    }

    /**
     * @param compressionLevel deflate level 0 (store) to 9 (smallest)
     * @param listener         hears every entry and every skipped file
     */
    public ContextPacker(int compressionLevel, ContextPackListener listener) {
        if (compressionLevel < 0 || compressionLevel > 9) {
            throw new IllegalArgumentException("compression level must be 0..9, got " + compressionLevel);
        }
        this.compressionLevel = compressionLevel;
        this.listener = listener == null ? ContextPackListener.NONE : listener;
    }

    /**
     * Packs {@code contextDir} into {@code target} (replaced if present; parent directories are created). The
     * archive is written beside the target first and moved into place only when complete. If the target lies
     * inside the context it is left out of it.
     *
     * @param contextDir the build context directory
     * @param dockerfile the Dockerfile's path relative to the context ('/'-separated; null for "Dockerfile");
     *                   an absolute path inside the context is accepted too
     * @param target     where to write the tar.gz
     * @throws ContextException if the context or Dockerfile is missing or misplaced, .dockerignore is invalid,
     *                          or a file in the context cannot be read (the message names it)
     * @throws IOException      if the archive cannot be written
     */
    public PackedContext pack(Path contextDir, String dockerfile, Path target) throws ContextException, IOException {
        return pack(contextDir, dockerfile, target, List.of());
    }

    /**
     * Packs like {@link #pack(Path, String, Path)}, leaving out Portainer's own files and directories that lie
     * inside the context (its work directory under target/, say): they are never the user's to send, and they
     * would change the context, and so Docker's cache, on every build.
     *
     * @param ownPaths files or directories never sent, whatever .dockerignore says
     */
    public PackedContext pack(Path contextDir, String dockerfile, Path target, List<Path> ownPaths)
            throws ContextException, IOException {
        return pack(contextDir, dockerfile, target, ownPaths, DockerfileTransform.NONE);
    }

    /**
     * Packs like {@link #pack(Path, String, Path, List)}, with the Dockerfile's bytes in the archive replaced by what
     * {@code transform} makes of them (the file on disk stays as it is).
     */
    public PackedContext pack(Path contextDir, String dockerfile, Path target, List<Path> ownPaths,
                              DockerfileTransform transform) throws ContextException, IOException {
        Path context = checkContextDirectory(contextDir);
        String dockerfileInContext = checkDockerfile(context, dockerfile == null ? DEFAULT_DOCKERFILE : dockerfile);
        byte[] dockerfileBytes = null;
        if (transform != DockerfileTransform.NONE) {
            byte[] original;
            try {
                original = Files.readAllBytes(context.resolve(dockerfileInContext));
            } catch (IOException e) {
                throw new ContextException("Cannot read Dockerfile " + context.resolve(dockerfileInContext) + ": "
                        + e.getMessage() + "; make it readable", e);
            }
            byte[] replaced = transform.apply(dockerfileInContext, original);
            dockerfileBytes = Arrays.equals(original, replaced) ? null : replaced.clone();
        }
        DockerIgnore ignore = DockerIgnore.read(context).keepingBuildFiles(dockerfileInContext);

        Path finalTarget = target.toAbsolutePath().normalize();
        Path partial = finalTarget.resolveSibling(finalTarget.getFileName() + ".part");
        if (finalTarget.getParent() != null) {
            Files.createDirectories(finalTarget.getParent());
        }
        MessageDigest sha256 = sha256();
        List<Path> skipped = new ArrayList<>(List.of(finalTarget, partial));
        ownPaths.forEach(own -> skipped.add(own.toAbsolutePath().normalize()));
        Walk walk = new Walk(context, ignore, List.copyOf(skipped), dockerfileInContext, dockerfileBytes);
        boolean done = false;
        try {
            long tarBytes;
            try (OutputStream file = Files.newOutputStream(partial);
                 DigestOutputStream digest = new DigestOutputStream(file, sha256);
                 GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(digest, gzipParameters());
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, StandardCharsets.UTF_8.name())) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                tar.setAddPaxHeadersForNonAsciiNames(true);
                walk.directory(tar, context, "", DockerIgnore.Match.ROOT);
                tar.finish();
                tarBytes = tar.getBytesWritten();
            }
            long size = Files.size(partial);
            Files.move(partial, finalTarget, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return new PackedContext(finalTarget, HexFormat.of().formatHex(sha256.digest()), size, walk.entries,
                    tarBytes, dockerfileInContext);
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    private GzipParameters gzipParameters() {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(compressionLevel);
        // no time and no file name in the gzip header, or equal trees would give different bytes
        parameters.setModificationTime(0);
        parameters.setFilename(null);
        return parameters;
    }

    private static Path checkContextDirectory(Path contextDir) throws ContextException {
        Path context = contextDir.toAbsolutePath().normalize();
        if (!Files.exists(context)) {
            throw new ContextException("Build context directory " + context
                    + " does not exist: create it or set <contextDirectory> to the directory to send to Docker");
        }
        if (!Files.isDirectory(context)) {
            throw new ContextException("Build context " + context
                    + " is not a directory: set <contextDirectory> to the directory to send to Docker");
        }
        return context;
    }

    // Returns the cleaned '/'-separated path of the Dockerfile inside the context.
    private static String checkDockerfile(Path context, String dockerfile) throws ContextException {
        String relative;
        Path given = Path.of(dockerfile);
        if (given.isAbsolute()) {
            relative = context.relativize(given.normalize()).toString().replace('\\', '/');
        } else {
            relative = dockerfile.replace('\\', '/');
        }
        relative = GoPath.clean(relative);
        if (relative.equals("..") || relative.startsWith("../") || relative.startsWith("/")) {
            throw new ContextException("Dockerfile " + dockerfile + " is outside the build context " + context
                    + ": Docker only sees files inside the context; move the Dockerfile into it, or set"
                    + " <contextDirectory> to a directory that contains it");
        }
        if (relative.equals(".")) {
            throw new ContextException("Dockerfile path '" + dockerfile + "' names the build context " + context
                    + " itself: set <dockerfile> to the Dockerfile's path relative to the context");
        }
        Path file = context.resolve(relative);
        if (!Files.exists(file)) {
            throw new ContextException("Dockerfile " + relative + " not found in context " + context
                    + ": create it or set <dockerfile> to its path relative to the context");
        }
        if (!Files.isRegularFile(file)) {
            throw new ContextException("Dockerfile " + relative + " in context " + context
                    + " is not a regular file: set <dockerfile> to the Dockerfile's path relative to the context");
        }
        try {
            if (!file.toRealPath().startsWith(context.toRealPath())) {
                throw new ContextException("Dockerfile " + relative + " in context " + context
                        + " is a symbolic link to " + file.toRealPath() + ", outside the context: Docker cannot"
                        + " follow it; copy the Dockerfile into the context");
            }
        } catch (IOException e) {
            throw new ContextException("Cannot resolve Dockerfile " + file + ": " + e.getMessage(), e);
        }
        return relative;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** One pass over the context; counts what it wrote. */
    private final class Walk {
        private final Path context;
        private final DockerIgnore ignore;
        private final List<Path> ownFiles;
        private final String dockerfile;
        private final byte[] dockerfileBytes;
        private final byte[] buffer = new byte[64 * 1024];
        private int entries;

        Walk(Path context, DockerIgnore ignore, List<Path> ownFiles, String dockerfile, byte[] dockerfileBytes) {
            this.context = context;
            this.ignore = ignore;
            this.ownFiles = ownFiles;
            this.dockerfile = dockerfile;
            this.dockerfileBytes = dockerfileBytes;
        }

        void directory(TarArchiveOutputStream tar, Path dir, String relDir, DockerIgnore.Match dirMatch)
                throws ContextException, IOException {
            for (Child child : sortedChildren(dir, relDir)) {
                String rel = relDir.isEmpty() ? child.name : relDir + "/" + child.name;
                Path path = child.path;
                if (ownFiles.contains(path)) {
                    listener.skipped(rel, "it is Portainer's own (the archive being written or its work directory)");
                    continue;
                }
                BasicFileAttributes attrs = attributes(path, rel);
                DockerIgnore.Match match = ignore.match(rel, dirMatch);
                if (match.excluded()) {
                    // Docker still walks an excluded directory if an exception names something inside it,
                    // without an entry for the directory itself.
                    if (attrs.isDirectory() && ignore.mustDescendInto(rel)) {
                        directory(tar, path, rel, match);
                    }
                    continue;
                }
                if (attrs.isDirectory()) {
                    put(tar, entry(rel + "/", TarConstants.LF_DIR, DIRECTORY | 0755), 0);
                    directory(tar, path, rel, match);
                } else if (attrs.isSymbolicLink()) {
                    TarArchiveEntry link = entry(rel, TarConstants.LF_SYMLINK, SYMLINK | 0777);
                    link.setLinkName(readLink(path, rel));
                    put(tar, link, 0);
                } else if (attrs.isRegularFile() && dockerfileBytes != null && rel.equals(dockerfile)) {
                    TarArchiveEntry entry = entry(rel, TarConstants.LF_NORMAL,
                            REGULAR | (isExecutable(path) ? 0755 : 0644));
                    entry.setSize(dockerfileBytes.length);
                    tar.putArchiveEntry(entry);
                    tar.write(dockerfileBytes);
                    tar.closeArchiveEntry();
                    entries++;
                    listener.entryAdded(rel, dockerfileBytes.length);
                } else if (attrs.isRegularFile()) {
                    file(tar, path, rel, attrs.size());
                } else {
                    listener.skipped(rel, "it is not a regular file, directory or symbolic link");
                }
            }
        }

        private void file(TarArchiveOutputStream tar, Path path, String rel, long size)
                throws ContextException, IOException {
            TarArchiveEntry entry = entry(rel, TarConstants.LF_NORMAL, REGULAR | (isExecutable(path) ? 0755 : 0644));
            entry.setSize(size);
            InputStream in;
            try {
                in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
            try (in) {
                tar.putArchiveEntry(entry);
                long left = size;
                while (left > 0) {
                    int n;
                    try {
                        n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    } catch (IOException e) {
                        throw unreadable(rel, e);
                    }
                    if (n < 0) {
                        throw new ContextException("File " + context.resolve(rel) + " shrank while the build"
                                + " context was being packed: run the build again once nothing writes to it");
                    }
                    tar.write(buffer, 0, n);
                    left -= n;
                }
                tar.closeArchiveEntry();
            }
            entries++;
            listener.entryAdded(rel, size);
        }

        private void put(TarArchiveOutputStream tar, TarArchiveEntry entry, long bytes) throws IOException {
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            entries++;
            listener.entryAdded(entry.getName(), bytes);
        }

        private List<Child> sortedChildren(Path dir, String relDir) throws ContextException {
            List<Child> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) {
                    children.add(new Child(p.getFileName().toString(), p));
                }
            } catch (IOException e) {
                throw unreadable(relDir.isEmpty() ? "." : relDir, e);
            }
            // Go's os.ReadDir order: names compared as UTF-8 bytes (not as Java's UTF-16 chars)
            children.sort((a, b) -> Arrays.compareUnsigned(a.utf8, b.utf8));
            return children;
        }

        private BasicFileAttributes attributes(Path path, String rel) throws ContextException {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
        }

        private String readLink(Path path, String rel) throws ContextException {
            try {
                return Files.readSymbolicLink(path).toString();
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
        }

        private boolean isExecutable(Path path) throws IOException {
            PosixFileAttributeView posix = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (posix == null) {
                return false; // no POSIX modes (Windows): nothing to preserve
            }
            Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
            return EXECUTE.stream().anyMatch(permissions::contains);
        }

        private ContextException unreadable(String rel, IOException e) {
            Path path = context.resolve(rel).normalize();
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "it disappeared while the context was being packed"
                    : e.toString();
            return new ContextException("Cannot read " + path + " in the build context (" + why
                    + "): make it readable, or exclude it in " + context.resolve(DockerIgnore.FILE_NAME), e);
        }
    }

    private static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setMode(mode);
        entry.setModTime(ENTRY_TIME);
        entry.setUserId(0);
        entry.setGroupId(0);
        // commons-compress fills in the current user's name by default
        entry.setUserName("");
        entry.setGroupName("");
        return entry;
    }

    private static final class Child {
        final String name;
        final Path path;
        final byte[] utf8;

        Child(String name, Path path) {
            this.name = name;
            this.path = path;
            this.utf8 = name.getBytes(StandardCharsets.UTF_8);
        }
    }
}
