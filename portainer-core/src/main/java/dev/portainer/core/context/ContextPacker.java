package dev.portainer.core.context;

import dev.portainer.wire.BuildSpec;
import java.io.BufferedOutputStream;
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
import java.nio.file.attribute.PosixFilePermissions;
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

/**
 * Packs a Docker build context directory into a tar or a tar.gz, in one streaming pass, holding exactly what the
 * Docker CLI (24 and later) sends for {@code docker build}: the tree walked depth first with names in byte order,
 * {@code .dockerignore} applied, every entry with its own mtime (whole seconds), permission, setuid, setgid and
 * sticky bits, owner 0:0; hard links as links, FIFOs and devices as such, names as the file system's bytes. So the
 * daemon builds the same image and computes the same cache keys as for {@code docker build} of the same tree. The
 * archive is hashed while it is written; a tar.gz is compressed on every core, and only where that pays
 * ({@link ContextFormat#TAR_GZIP}).
 *
 * <p>With {@link Builder#reproducible(Instant)} every time is that instant instead, so that equal trees give equal
 * bytes wherever they were checked out; Docker's cache keys do not include mtimes, so the images still share the
 * cache with {@code docker build}'s, but their files' times differ.
 *
 * <p>{@link #fingerprint} walks the tree as a pack would but only looks at the entries' metadata, so that an
 * archive packed from an unchanged tree can be reused instead of packed again ({@link ContextCache}).
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
    private static final String UNIX_ATTRIBUTES = "unix:mode,ino,nlink,rdev,size,lastModifiedTime,ctime";

    private final int compressionLevel;
    private final ContextFormat format;
    private final int threads;
    private final ContextPackListener listener;
    private final Instant fixedTime;
    private final Clock clock;
    private final RandomGenerator random;

    /** A tar.gz with fast compression, no listener, the files' own times. */
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
        this.format = builder.format;
        this.threads = builder.threads;
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
        return pack(prepare(dockerfile, ownPaths, transform), target);
    }

    /**
     * Reads what a pack needs before its walk: the Dockerfile as Docker gets it ({@code transform} applied once) and
     * the {@code .dockerignore} rules. One source serves a {@link #fingerprint} and a {@link #pack}.
     *
     * @param ownPaths files or directories never sent, whatever .dockerignore says (Portainer's work directory)
     */
    public Source prepare(DockerfileLocation dockerfile, List<Path> ownPaths, DockerfileTransform transform)
            throws ContextException {
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
        byte[] inContextReplacement = dockerfile.outsideContext() || Arrays.equals(original, replaced) ? null
                : replaced;
        List<Path> own = ownPaths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        return new Source(context, dockerfile, archiveName, added, ignore, inContextReplacement, own);
    }

    /**
     * What the walk of {@code source} sees, as a hex SHA-256: the packing options, the Dockerfile Docker gets, the
     * .dockerignore rules, and every entry that would be packed with its path, type, mode, size, inode, link count,
     * device, link target and change and modification times (to the nanosecond). Only metadata: no file is read.
     * Equal to the {@link PackedContext#fingerprint()} of a {@link #pack} of the same unchanged tree with the same
     * packer, so a packed archive can be reused while it is.
     *
     * @param target where the archive would go (left out of the walk, as {@link #pack} leaves it out)
     */
    public String fingerprint(Source source, Path target) throws ContextException, IOException {
        Path finalTarget = target.toAbsolutePath().normalize();
        Walk walk = new Walk(source, skipped(source, finalTarget), null, keyDigest(source), null);
        walk.directory(source.context, "", DockerIgnore.Match.ROOT);
        return HexFormat.of().formatHex(walk.key.digest());
    }

    /**
     * Packs a prepared source into {@code target} (replaced if present; parent directories are created), written
     * beside it first and moved into place only when complete; left out of the archive if it lies inside the
     * context.
     */
    public PackedContext pack(Source source, Path target) throws ContextException, IOException {
        Path finalTarget = target.toAbsolutePath().normalize();
        Path partial = partialFile(finalTarget);
        if (finalTarget.getParent() != null) {
            Files.createDirectories(finalTarget.getParent());
        }
        MessageDigest sha256 = sha256();
        boolean done = false;
        try {
            long tarBytes;
            Walk walk;
            try (OutputStream file = Files.newOutputStream(create(partial))) {
                // The file system's own "now", before anything is read: an entry changed at or after it may have
                // changed after it was read, within one tick of the file system's clock (see Walk.racy).
                walk = new Walk(source, skipped(source, finalTarget), null, keyDigest(source), changeTime(partial));
                try (DigestOutputStream digest = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16),
                        sha256);
                     OutputStream archive = format == ContextFormat.TAR ? digest
                             : new BlockGzipOutputStream(digest, compressionLevel, threads)) {
                    GoTarWriter tar = new GoTarWriter(archive);
                    walk.tar = tar;
                    walk.directory(source.context, "", DockerIgnore.Match.ROOT);
                    if (source.added == null) {
                        tar.finish();
                    } else {
                        // The CLI rewrites its stream to add the Dockerfile, and its rewriting goroutine closes the
                        // pipe before its deferred tar trailer is written: that stream ends without one (readers take
                        // the end of the data for the end of the archive). Sent as the CLI sends it.
                        walk.addDockerfile();
                        tar.finishWithoutTrailer();
                    }
                    tarBytes = tar.bytesWritten();
                }
            }
            long size = Files.size(partial);
            Files.move(partial, finalTarget, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return new PackedContext(finalTarget, HexFormat.of().formatHex(sha256.digest()), size, walk.entries,
                    tarBytes, GoString.runes(source.archiveName), format,
                    walk.racy ? null : HexFormat.of().formatHex(walk.key.digest()));
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    // The archive holds the context's files: readable by its owner only, as the staged copies are (it may be kept).
    private static Path create(Path file) throws IOException {
        Files.deleteIfExists(file);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rw-------")));
        }
        return Files.createFile(file);
    }

    private static List<Path> skipped(Source source, Path finalTarget) {
        List<Path> skipped = new ArrayList<>(List.of(finalTarget, partialFile(finalTarget)));
        skipped.addAll(source.ownPaths);
        return List.copyOf(skipped);
    }

    /** The fingerprint's digest, fed with everything but the walk: what else makes the archive what it is. */
    private MessageDigest keyDigest(Source source) {
        KeyWriter key = new KeyWriter(sha256());
        key.text("portainer context fingerprint 1");
        key.text(format.name());
        key.number(format == ContextFormat.TAR ? -1 : compressionLevel);
        key.number(fixedTime == null ? Long.MIN_VALUE : fixedTime.getEpochSecond());
        key.text(source.context.toAbsolutePath().normalize().toString());
        key.number(source.ownPaths.size());
        source.ownPaths.forEach(p -> key.text(p.toString()));
        key.number(source.ignore.patterns().size());
        source.ignore.patterns().forEach(key::text);
        if (source.added == null) {
            key.text(source.archiveName);
            key.bytes(source.inContextReplacement);
        } else {
            // Not its name nor its time, which are random and "now" unless reproducible: its place and content.
            key.text(source.dockerfile.file().toAbsolutePath().normalize().toString());
            key.bytes(source.added.content());
        }
        return key.digest;
    }

    // ctime where the file system has it (no one can set it), else the modification time.
    private static FileTime changeTime(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return (FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        }
        return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Where {@link #pack} writes {@code target} until it is complete (the caller's clean-up removes it too): the
     * file an executor follows while a context is packed ({@link BuildSpec#partialContextFile}).
     */
    public static Path partialFile(Path target) {
        return BuildSpec.partialContextFile(target.toAbsolutePath().normalize());
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

    /**
     * What lstat says of an entry, as the CLI reads it, and its times to the nanosecond for the fingerprint.
     *
     * @param changed the inode's change time (ctime), which no one can set; the modification time where there is none
     */
    private record Attributes(int mode, long inode, int links, long rdev, long size, FileTime modified,
                              FileTime changed) {
        int type() {
            return mode & S_IFMT;
        }

        /** The modification time in whole seconds, as the tar header has it. */
        long mtime() {
            return modified.toInstant().getEpochSecond();
        }

        long mtimeNanos() {
            return nanos(modified);
        }

        long ctimeNanos() {
            return nanos(changed);
        }

        private static long nanos(FileTime time) {
            Instant instant = time.toInstant();
            return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        }
    }

    /**
     * One pass over the context: writes the archive, or only stats every entry for the fingerprint (no tar). Counts
     * what it wrote and feeds what it saw to the fingerprint.
     */
    private final class Walk {
        private final Path context;
        private final DockerIgnore ignore;
        private final List<Path> ownFiles;
        private final String dockerfile;
        private final byte[] dockerfileBytes;
        private final AddedDockerfile added;
        private final byte[] buffer;
        // the first name each multiply-linked inode was written under, as moby's tarAppender.SeenFiles
        private final Map<Long, String> seen = new HashMap<>();
        private final boolean unix;
        private final MessageDigest key;
        private final KeyWriter keyWriter;
        private final FileTime startedAt;
        private GoTarWriter tar;
        private boolean wroteDockerignore;
        private int entries;
        /** Whether an entry changed at or after {@code startedAt}: the fingerprint may not describe what was read. */
        private boolean racy;

        /**
         * @param tar       where the archive goes; null: stat only
         * @param startedAt the file system's time before the walk, to tell racy entries; null: not asked
         */
        Walk(Source source, List<Path> ownFiles, GoTarWriter tar, MessageDigest key, FileTime startedAt) {
            this.context = source.context;
            this.ignore = source.ignore;
            this.ownFiles = ownFiles;
            this.dockerfile = source.dockerfile.inContext();
            this.dockerfileBytes = source.inContextReplacement;
            this.added = source.added;
            this.tar = tar;
            this.buffer = new byte[64 * 1024];
            this.key = key;
            this.keyWriter = new KeyWriter(key);
            this.startedAt = startedAt;
            this.unix = context.getFileSystem().supportedFileAttributeViews().contains("unix");
        }

        void directory(Path dir, String relDir, DockerIgnore.Match dirMatch) throws ContextException, IOException {
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
                        directory(path, rel, match);
                    }
                    continue;
                }
                entry(path, rel, attrs);
                if (attrs.type() == S_IFDIR) {
                    directory(path, rel, match);
                }
            }
        }

        private void entry(Path path, String rel, Attributes attrs) throws ContextException, IOException {
            long mode = attrs.mode() & 07777;
            long mtime = fixedTime != null ? fixedTime.getEpochSecond() : attrs.mtime();
            GoTarWriter.Header header;
            switch (attrs.type()) {
                case S_IFDIR -> header = GoTarWriter.Header.of(GoTarWriter.DIRECTORY, rel + "/", mode, mtime);
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
            saw(rel, attrs, header.linkName());
            if (tar == null) {
                return;
            }
            if (attrs.type() == S_IFDIR) {
                put(header, 0);
                return;
            }
            boolean rootDockerignore = rel.equals(DockerIgnore.FILE_NAME) && attrs.type() == S_IFREG;
            if (attrs.type() == S_IFREG && dockerfileBytes != null && rel.equals(dockerfile)) {
                // the rewritten Dockerfile is its own file, never a link to (or the target of) another name
                putContent(header.withSize(dockerfileBytes.length), dockerfileBytes);
                return;
            }
            if (rootDockerignore && added != null) {
                putContent(header, dockerignoreWithAdded(path, rel));
                wroteDockerignore = true;
                return;
            }
            wroteDockerignore |= rootDockerignore;
            if (attrs.links() > 1) {
                String first = seen.putIfAbsent(attrs.inode(), rel);
                if (first != null) {
                    put(header.withLink(GoTarWriter.HARD_LINK, first), 0);
                    return;
                }
            }
            if (attrs.type() == S_IFREG) {
                file(path, rel, header);
            } else {
                put(header, 0);
            }
        }

        /** Feeds an entry to the fingerprint; notes whether it changed since the walk started. */
        private void saw(String rel, Attributes attrs, String linkTarget) {
            keyWriter.text(rel);
            keyWriter.number(attrs.mode());
            keyWriter.number(attrs.inode());
            keyWriter.number(attrs.links());
            keyWriter.number(attrs.rdev());
            keyWriter.number(attrs.size());
            keyWriter.number(attrs.mtimeNanos());
            keyWriter.number(attrs.ctimeNanos());
            keyWriter.text(linkTarget);
            if (startedAt != null && attrs.changed().compareTo(startedAt) >= 0) {
                racy = true;
            }
        }

        /** After the walk: the Dockerfile from outside the context and, if there was none, a .dockerignore. */
        void addDockerfile() throws IOException {
            if (added == null) {
                return;
            }
            putContent(GoTarWriter.Header.of(GoTarWriter.REGULAR, added.name(), 0600, added.time()),
                    added.content());
            if (!wroteDockerignore) {
                putContent(GoTarWriter.Header.of(GoTarWriter.REGULAR, DockerIgnore.FILE_NAME, 0600,
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

        private void putContent(GoTarWriter.Header header, byte[] content) throws IOException {
            tar.putHeader(header.withSize(content.length));
            tar.write(content, 0, content.length);
            entries++;
            listener.entryAdded(GoString.runes(header.name()), content.length);
        }

        private void file(Path path, String rel, GoTarWriter.Header header)
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

        private void put(GoTarWriter.Header header, long bytes) throws IOException {
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
                            (Long) a.get("rdev"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                            (FileTime) a.get("ctime"));
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
            return new Attributes(type | permissions, 0, 1, 0, basic.size(), basic.lastModifiedTime(),
                    basic.lastModifiedTime());
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

    /**
     * A context ready to be walked: what {@link #prepare} read once (the Dockerfile as Docker gets it, the
     * .dockerignore rules), for a {@link #fingerprint} and a {@link #pack} of the same packer.
     */
    public static final class Source {
        private final Path context;
        private final DockerfileLocation dockerfile;
        private final String archiveName;
        private final AddedDockerfile added;
        private final DockerIgnore ignore;
        private final byte[] inContextReplacement;
        private final List<Path> ownPaths;

        private Source(Path context, DockerfileLocation dockerfile, String archiveName, AddedDockerfile added,
                       DockerIgnore ignore, byte[] inContextReplacement, List<Path> ownPaths) {
            this.context = context;
            this.dockerfile = dockerfile;
            this.archiveName = archiveName;
            this.added = added;
            this.ignore = ignore;
            this.inContextReplacement = inContextReplacement;
            this.ownPaths = ownPaths;
        }

        /** The context directory. */
        public Path context() {
            return context;
        }

        /** The Dockerfile's '/'-separated path inside the archive, as {@link PackedContext#dockerfile()} will say. */
        public String dockerfileInArchive() {
            return GoString.runes(archiveName);
        }
    }

    /** Feeds values to a digest unambiguously: every value with its length or as a fixed-size number. */
    private static final class KeyWriter {
        private final MessageDigest digest;
        private final byte[] number = new byte[8];

        KeyWriter(MessageDigest digest) {
            this.digest = digest;
        }

        void number(long value) {
            for (int i = 0; i < 8; i++) {
                number[i] = (byte) (value >>> (8 * i));
            }
            digest.update(number);
        }

        void text(String value) {
            number(value.length());
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                digest.update((byte) c);
                digest.update((byte) (c >>> 8));
            }
        }

        void bytes(byte[] value) {
            if (value == null) {
                number(-1);
                return;
            }
            number(value.length);
            digest.update(value);
        }
    }

    /** Configures a {@link ContextPacker}. */
    public static final class Builder {
        private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
        private ContextFormat format = ContextFormat.TAR_GZIP;
        private int threads = Runtime.getRuntime().availableProcessors();
        private ContextPackListener listener = ContextPackListener.NONE;
        private Instant fixedTime;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new SecureRandom();

        private Builder() {
        }

        /** Deflate level 0 (store) to 9 (smallest) of a tar.gz. */
        public Builder compressionLevel(int level) {
            if (level < 0 || level > 9) {
                throw new IllegalArgumentException("compression level must be 0..9, got " + level);
            }
            this.compressionLevel = level;
            return this;
        }

        /** A plain tar, or a tar.gz (the default). */
        public Builder format(ContextFormat f) {
            this.format = Objects.requireNonNull(f, "format");
            return this;
        }

        /**
         * How many threads may compress a tar.gz at once (default: one per core); the archive's bytes do not depend
         * on it.
         */
        public Builder threads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threads must be 1 or more, got " + n);
            }
            this.threads = n;
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
