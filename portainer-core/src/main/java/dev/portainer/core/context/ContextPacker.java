package dev.portainer.core.context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.zip.Deflater;

import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Packs a Docker build context directory into a tar.gz, in one streaming pass, holding exactly what the Docker CLI
 * (24 and later) sends for {@code docker build}: the tree walked depth first with names in byte order,
 * {@code .dockerignore} applied, every entry with its own mtime (whole seconds), permission, setuid, setgid and
 * sticky bits, owner 0:0; hard links as links, FIFOs and devices as such, names as the file system's bytes. So the
 * daemon builds the same image and computes the same cache keys as for {@code docker build} of the same tree. The
 * archive is hashed while it is written.
 *
 * <p>With {@link Builder#reproducible(Instant)} every time is that instant instead, so that equal trees give equal
 * bytes wherever they were checked out; Docker's cache keys do not include mtimes, so the images still share the
 * cache with {@code docker build}'s, but their files' times differ.
 */
public final class ContextPacker {
    /** The Dockerfile's path when none is configured. */
    public static final String DEFAULT_DOCKERFILE = DockerfileLocation.DEFAULT_NAME;
    /** Fastest deflate: contexts are sent once over a fast network, CPU time in the build matters more. */
    public static final int DEFAULT_COMPRESSION_LEVEL = Deflater.BEST_SPEED;
    /** The time of every entry with {@link Builder#reproducible()}: one second after the epoch, as Jib. */
    public static final Instant REPRODUCIBLE_TIME = Instant.ofEpochSecond(1);

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 060000;
    private static final int S_IFDIR = 040000;
    private static final int S_IFCHR = 020000;
    private static final int S_IFIFO = 010000;
    private static final String UNIX_ATTRIBUTES = "unix:mode,ino,nlink,rdev,size,lastModifiedTime";

    private final int compressionLevel;
    private final ContextPackListener listener;
    private final Instant fixedTime;
    private final Clock clock;
    private final RandomGenerator random;

    /** Fast compression, no listener, the files' own times. */
    public ContextPacker() {
        this(builder());
    }

    /**
     * @param compressionLevel deflate level 0 (store) to 9 (smallest)
     * @param listener         hears every entry and every skipped file
     */
    public ContextPacker(int compressionLevel, ContextPackListener listener) {
        this(builder().compressionLevel(compressionLevel).listener(listener));
    }

    private ContextPacker(Builder builder) {
        this.compressionLevel = builder.compressionLevel;
        this.listener = builder.listener;
        this.fixedTime = builder.fixedTime;
        this.clock = builder.clock;
        this.random = builder.random;
    }

    /** A packer to configure. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Packs {@code contextDir} into {@code target} (replaced if present; parent directories are created). The
     * archive is written beside the target first and moved into place only when complete. If the target lies
     * inside the context it is left out of it.
     *
     * @param contextDir the build context directory
     * @param dockerfile the Dockerfile as {@link DockerfileLocation#find} takes it (null for the default), relative
     *                   to the context
     * @param target     where to write the tar.gz
     * @throws ContextException if the context or Dockerfile is missing, .dockerignore is invalid, or a file in the
     *                          context cannot be read (the message names it)
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
        return pack(DockerfileLocation.find(contextDir, null, dockerfile), target, ownPaths, transform);
    }

    /**
     * Packs the context of {@code dockerfile}. A Dockerfile outside the context is added to the archive as the
     * Docker CLI adds it: under a random name {@code .dockerfile.<20 hex digits>}, mode 0600, the time of packing,
     * with that name appended to the {@code .dockerignore} (one is added when there is none), so that the daemon
     * leaves it out of what COPY sees.
     */
    public PackedContext pack(DockerfileLocation dockerfile, Path target, List<Path> ownPaths,
                              DockerfileTransform transform) throws ContextException, IOException {
        Path context = dockerfile.context();
        byte[] original = null;
        byte[] replaced = null;
        if (transform != DockerfileTransform.NONE || dockerfile.outsideContext()) {
            try {
                original = Files.readAllBytes(dockerfile.file());
            } catch (IOException e) {
                throw new ContextException("Cannot read the Dockerfile " + dockerfile.file() + ": " + e.getMessage()
                        + "; make it readable", e);
            }
            replaced = transform.apply(dockerfile.displayName(), original);
        }
        String archiveName;
        AddedDockerfile added = null;
        if (dockerfile.outsideContext()) {
            archiveName = ".dockerfile." + addedName(replaced);
            added = new AddedDockerfile(archiveName, replaced, entryTime(clock.instant()));
        } else {
            archiveName = dockerfile.inContext();
        }
        if (!GoString.ofText(GoString.runes(archiveName)).equals(archiveName)) {
            throw new ContextException("The Dockerfile's path " + GoString.runes(archiveName) + " in the context "
                    + context + " is not valid UTF-8, which Docker's API cannot name: rename it");
        }
        DockerIgnore ignore = DockerIgnore.read(context).keepingBuildFiles(dockerfile.outsideContext()
                ? relativeOutside(context, dockerfile.file()) : dockerfile.inContext());

        Path finalTarget = target.toAbsolutePath().normalize();
        Path partial = partialFile(finalTarget);
        if (finalTarget.getParent() != null) {
            Files.createDirectories(finalTarget.getParent());
        }
        MessageDigest sha256 = sha256();
        List<Path> skipped = new ArrayList<>(List.of(finalTarget, partial));
        ownPaths.forEach(own -> skipped.add(own.toAbsolutePath().normalize()));
        byte[] inContextReplacement = dockerfile.outsideContext() || Arrays.equals(original, replaced) ? null
                : replaced;
        Walk walk = new Walk(context, ignore, List.copyOf(skipped), dockerfile.inContext(), inContextReplacement,
                added);
        boolean done = false;
        try {
            long tarBytes;
            try (OutputStream file = Files.newOutputStream(partial);
                 DigestOutputStream digest = new DigestOutputStream(file, sha256);
                 GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(digest, gzipParameters())) {
                GoTarWriter tar = new GoTarWriter(gzip);
                walk.directory(tar, context, "", DockerIgnore.Match.ROOT);
                if (added == null) {
                    tar.finish();
                } else {
                    // The CLI rewrites its stream to add the Dockerfile, and its rewriting goroutine closes the pipe
                    // before its deferred tar trailer is written: that stream ends without one (readers take the
                    // end of the data for the end of the archive). Sent as the CLI sends it.
                    walk.addDockerfile(tar);
                    tar.finishWithoutTrailer();
                }
                tarBytes = tar.bytesWritten();
            }
            long size = Files.size(partial);
            Files.move(partial, finalTarget, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return new PackedContext(finalTarget, HexFormat.of().formatHex(sha256.digest()), size, walk.entries,
                    tarBytes, GoString.runes(archiveName));
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    /** Where {@link #pack} writes {@code target} until it is complete (the caller's clean-up removes it too). */
    public static Path partialFile(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".part");
    }

    // The CLI's random suffix: 20 hex digits. Reproducible packing takes them from the content instead.
    private String addedName(byte[] content) {
        if (fixedTime != null) {
            return HexFormat.of().formatHex(sha256().digest(content)).substring(0, 20);
        }
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    // The CLI's exception for an outside Dockerfile is "!../…"; it matches nothing in the context, but counts as one.
    private static String relativeOutside(Path context, Path file) {
        return context.relativize(file).toString().replace('\\', '/');
    }

    // Go's tar writer rounds a header time it was not told the format of to the nearest second.
    private long entryTime(Instant now) {
        if (fixedTime != null) {
            return fixedTime.getEpochSecond();
        }
        return now.getEpochSecond() + (now.getNano() >= 500_000_000 ? 1 : 0);
    }

    private GzipParameters gzipParameters() {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(compressionLevel);
        // no time and no file name in the gzip header, or equal trees would give different bytes
        parameters.setModificationTime(0);
        parameters.setFilename(null);
        return parameters;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The Dockerfile from outside the context, added after the walk. */
    private record AddedDockerfile(String name, byte[] content, long time) {
    }

    /** What lstat says of an entry, as the CLI reads it. */
    private record Attributes(int mode, long inode, int links, long rdev, long size, long mtime) {
        int type() {
            return mode & S_IFMT;
        }
    }

    /** One pass over the context; counts what it wrote. */
    private final class Walk {
        private final Path context;
        private final DockerIgnore ignore;
        private final List<Path> ownFiles;
        private final String dockerfile;
        private final byte[] dockerfileBytes;
        private final AddedDockerfile added;
        private final byte[] buffer = new byte[64 * 1024];
        // the first name each multiply-linked inode was written under, as moby's tarAppender.SeenFiles
        private final Map<Long, String> seen = new HashMap<>();
        private final boolean unix;
        private boolean wroteDockerignore;
        private int entries;

        Walk(Path context, DockerIgnore ignore, List<Path> ownFiles, String dockerfile, byte[] dockerfileBytes,
             AddedDockerfile added) {
            this.context = context;
            this.ignore = ignore;
            this.ownFiles = ownFiles;
            this.dockerfile = dockerfile;
            this.dockerfileBytes = dockerfileBytes;
            this.added = added;
            this.unix = context.getFileSystem().supportedFileAttributeViews().contains("unix");
        }

        void directory(GoTarWriter tar, Path dir, String relDir, DockerIgnore.Match dirMatch)
                throws ContextException, IOException {
            for (Child child : sortedChildren(dir, relDir)) {
                String rel = relDir.isEmpty() ? child.name : relDir + "/" + child.name;
                Path path = child.path;
                if (ownFiles.contains(path)) {
                    listener.skipped(GoString.runes(rel),
                            "it is Portainer's own (the archive being written or its work directory)");
                    continue;
                }
                Attributes attrs = attributes(path, rel);
                DockerIgnore.Match match = ignore.match(rel, dirMatch);
                if (match.excluded()) {
                    // Docker still walks an excluded directory if an exception names something inside it,
                    // without an entry for the directory itself.
                    if (attrs.type() == S_IFDIR && ignore.mustDescendInto(rel)) {
                        directory(tar, path, rel, match);
                    }
                    continue;
                }
                entry(tar, path, rel, attrs);
                if (attrs.type() == S_IFDIR) {
                    directory(tar, path, rel, match);
                }
            }
        }

        private void entry(GoTarWriter tar, Path path, String rel, Attributes attrs)
                throws ContextException, IOException {
            long mode = attrs.mode() & 07777;
            long mtime = fixedTime != null ? fixedTime.getEpochSecond() : attrs.mtime();
            GoTarWriter.Header header;
            switch (attrs.type()) {
                case S_IFDIR -> {
                    put(tar, GoTarWriter.Header.of(GoTarWriter.DIRECTORY, rel + "/", mode, mtime), 0);
                    return;
                }
                case S_IFREG -> header = GoTarWriter.Header.of(GoTarWriter.REGULAR, rel, mode, mtime)
                        .withSize(attrs.size());
                case S_IFLNK -> header = GoTarWriter.Header.of(GoTarWriter.SYMLINK, rel, mode, mtime)
                        .withLink(GoTarWriter.SYMLINK, readLink(path, rel));
                case S_IFIFO -> header = GoTarWriter.Header.of(GoTarWriter.FIFO, rel, mode, mtime);
                case S_IFCHR, S_IFBLK -> header = new GoTarWriter.Header(attrs.type() == S_IFCHR
                        ? GoTarWriter.CHAR_DEVICE : GoTarWriter.BLOCK_DEVICE, rel, "", mode, 0, mtime,
                        major(attrs.rdev()), minor(attrs.rdev()));
                case S_IFSOCK -> {
                    listener.skipped(GoString.runes(rel), "it is a socket, which docker build leaves out too");
                    return;
                }
                default -> {
                    listener.skipped(GoString.runes(rel), "it is not a file, directory, link, FIFO or device");
                    return;
                }
            }
            boolean rootDockerignore = rel.equals(DockerIgnore.FILE_NAME) && attrs.type() == S_IFREG;
            if (attrs.type() == S_IFREG && dockerfileBytes != null && rel.equals(dockerfile)) {
                // the rewritten Dockerfile is its own file, never a link to (or the target of) another name
                putContent(tar, header.withSize(dockerfileBytes.length), dockerfileBytes);
                return;
            }
            if (rootDockerignore && added != null) {
                putContent(tar, header, dockerignoreWithAdded(path, rel));
                wroteDockerignore = true;
                return;
            }
            wroteDockerignore |= rootDockerignore;
            if (attrs.links() > 1) {
                String first = seen.putIfAbsent(attrs.inode(), rel);
                if (first != null) {
                    put(tar, header.withLink(GoTarWriter.HARD_LINK, first), 0);
                    return;
                }
            }
            if (attrs.type() == S_IFREG) {
                file(tar, path, rel, header);
            } else {
                put(tar, header, 0);
            }
        }

        /** After the walk: the Dockerfile from outside the context and, if there was none, a .dockerignore. */
        void addDockerfile(GoTarWriter tar) throws IOException {
            if (added == null) {
                return;
            }
            putContent(tar, GoTarWriter.Header.of(GoTarWriter.REGULAR, added.name(), 0600, added.time()),
                    added.content());
            if (!wroteDockerignore) {
                putContent(tar, GoTarWriter.Header.of(GoTarWriter.REGULAR, DockerIgnore.FILE_NAME, 0600,
                        added.time()), GoString.bytes(DockerIgnore.FILE_NAME + "\n" + added.name() + "\n"));
            }
        }

        private byte[] dockerignoreWithAdded(Path path, String rel) throws ContextException {
            try {
                return GoString.bytes(GoString.of(Files.readAllBytes(path)) + "\n" + added.name() + "\n");
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
        }

        private void putContent(GoTarWriter tar, GoTarWriter.Header header, byte[] content) throws IOException {
            tar.putHeader(header.withSize(content.length));
            tar.write(content, 0, content.length);
            entries++;
            listener.entryAdded(GoString.runes(header.name()), content.length);
        }

        private void file(GoTarWriter tar, Path path, String rel, GoTarWriter.Header header)
                throws ContextException, IOException {
            InputStream in;
            try {
                in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
            try (in) {
                tar.putHeader(header);
                long left = header.size();
                while (left > 0) {
                    int n;
                    try {
                        n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    } catch (IOException e) {
                        throw unreadable(rel, e);
                    }
                    if (n < 0) {
                        throw new ContextException("File " + display(rel) + " shrank while the build context was"
                                + " being packed: run the build again once nothing writes to it");
                    }
                    tar.write(buffer, 0, n);
                    left -= n;
                }
            }
            entries++;
            listener.entryAdded(GoString.runes(rel), header.size());
        }

        private void put(GoTarWriter tar, GoTarWriter.Header header, long bytes) throws IOException {
            tar.putHeader(header);
            entries++;
            listener.entryAdded(GoString.runes(header.name()), bytes);
        }

        private List<Child> sortedChildren(Path dir, String relDir) throws ContextException {
            List<Child> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) {
                    children.add(new Child(RawNames.name(p), p));
                }
            } catch (IOException e) {
                throw unreadable(relDir.isEmpty() ? "." : relDir, e);
            }
            // Go's os.ReadDir order: names compared as bytes
            children.sort((a, b) -> a.name.compareTo(b.name));
            return children;
        }

        private Attributes attributes(Path path, String rel) throws ContextException {
            try {
                if (unix) {
                    Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    return new Attributes((Integer) a.get("mode"), (Long) a.get("ino"), (Integer) a.get("nlink"),
                            (Long) a.get("rdev"), (Long) a.get("size"),
                            ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond());
                }
                return portableAttributes(path);
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
        }

        // Without lstat's mode (Windows): what Go's os.Lstat reports there, after the CLI's chmodTarEntry
        // (permissions 0755, or 0555 for a read-only entry).
        private Attributes portableAttributes(Path path) throws IOException {
            BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            int type = basic.isDirectory() ? S_IFDIR : basic.isSymbolicLink() ? S_IFLNK
                    : basic.isRegularFile() ? S_IFREG : 0;
            int permissions;
            if (Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS) != null) {
                permissions = 0;
                for (PosixFilePermission p : Files.readAttributes(path, PosixFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).permissions()) {
                    permissions |= 0400 >> p.ordinal();
                }
            } else {
                DosFileAttributes dos = Files.readAttributes(path, DosFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                permissions = dos.isReadOnly() ? 0555 : 0755;
            }
            return new Attributes(type | permissions, 0, 1, 0, basic.size(),
                    basic.lastModifiedTime().toInstant().getEpochSecond());
        }

        private String readLink(Path path, String rel) throws ContextException {
            try {
                return RawNames.linkTarget(Files.readSymbolicLink(path));
            } catch (IOException e) {
                throw unreadable(rel, e);
            }
        }

        private String display(String rel) {
            return context.resolve(GoString.runes(rel)).normalize().toString();
        }

        private ContextException unreadable(String rel, IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "it disappeared while the context was being packed"
                    : e.toString();
            return new ContextException("Cannot read " + display(rel) + " in the build context (" + why
                    + "): make it readable, or exclude it in " + context.resolve(DockerIgnore.FILE_NAME), e);
        }
    }

    // glibc's gnu_dev_major/minor, as Go's unix.Major/Minor
    private static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    private static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }

    private record Child(String name, Path path) {
    }

    /** Configures a {@link ContextPacker}. */
    public static final class Builder {
        private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
        private ContextPackListener listener = ContextPackListener.NONE;
        private Instant fixedTime;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new SecureRandom();

        private Builder() {
        }

        /** Deflate level 0 (store) to 9 (smallest). */
        public Builder compressionLevel(int level) {
            if (level < 0 || level > 9) {
                throw new IllegalArgumentException("compression level must be 0..9, got " + level);
            }
            this.compressionLevel = level;
            return this;
        }

        /** Hears every entry and every skipped file. */
        public Builder listener(ContextPackListener l) {
            this.listener = l == null ? ContextPackListener.NONE : l;
            return this;
        }

        /** Every entry gets {@link #REPRODUCIBLE_TIME}. */
        public Builder reproducible() {
            return reproducible(REPRODUCIBLE_TIME);
        }

        /** Every entry gets this time (whole seconds), and an added Dockerfile a name made from its content. */
        public Builder reproducible(Instant time) {
            this.fixedTime = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Where "now" comes from (the time of a Dockerfile added from outside the context). */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Where the random name of a Dockerfile added from outside the context comes from. */
        public Builder random(RandomGenerator r) {
            this.random = Objects.requireNonNull(r, "random");
            return this;
        }

        public ContextPacker build() {
            return new ContextPacker(this);
        }
    }
}
