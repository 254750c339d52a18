package dev.portainer.core.context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The last packed context of each image, kept so that an unchanged context is not packed twice in a row: in one
 * directory ({@value #DIRECTORY} in the work directory), per slot (an image's file stem) the archive
 * {@code <slot>.tar} or {@code <slot>.tar.gz}, {@code <slot>.properties} saying what it holds (the
 * {@linkplain ContextPacker#fingerprint fingerprint} of the walk that packed it, its SHA-256 and sizes), and
 * {@code <slot>.lock}. A slot is replaced when its image's context changes.
 *
 * <p>A build never uses the kept file itself: it gets a hard link of its own ({@link #take}), which it stages and
 * removes when it ends, so that another build of the same project replacing the slot meanwhile ({@code mvn -T}, a
 * second Maven) cannot change what this one sends. Reading and replacing a slot hold an exclusive lock on its
 * {@code .lock} file, briefly (links and a small file, never a pack); a slot locked by another build of this JVM
 * is simply not used. A kept archive whose description is missing or does not match is never used.
 */
public final class ContextCache {
    /** The cache's directory in the work directory. */
    public static final String DIRECTORY = "packed";

    private final Path directory;

    /** @param directory where the slots are; created when the first is kept */
    public ContextCache(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** The kept archive of {@code slot} in {@code format}, whether or not it is current. */
    public Path archive(String slot, ContextFormat format) {
        return directory.resolve(slot + format.extension());
    }

    /**
     * Whether {@code slot} holds a context in {@code format} at all: if not, a build need not fingerprint its context
     * before packing it (a first build, a build after {@code mvn clean}, CI).
     */
    public boolean holds(String slot, ContextFormat format) {
        return Files.isRegularFile(description(slot)) && Files.isRegularFile(archive(slot, format));
    }

    /**
     * The kept context of {@code slot} if it was packed from a walk with this fingerprint in this format, hard-linked
     * to {@code runFile} (replaced if present), which the returned context names; empty otherwise, or if the slot is
     * locked by another build of this JVM.
     */
    public Optional<PackedContext> take(String slot, String fingerprint, ContextFormat format, Path runFile)
            throws IOException {
        if (!Files.isRegularFile(description(slot))) {
            return Optional.empty();
        }
        try (Lock lock = lock(slot)) {
            if (lock == null) {
                return Optional.empty();
            }
            Properties kept = read(slot);
            Path archive = archive(slot, format);
            if (kept == null || !fingerprint.equals(kept.getProperty("fingerprint"))
                    || !format.name().equals(kept.getProperty("format")) || !Files.isRegularFile(archive)
                    || Files.size(archive) != Long.parseLong(kept.getProperty("size"))) {
                return Optional.empty();
            }
            Files.deleteIfExists(runFile);
            Files.createLink(runFile, archive);
            return Optional.of(new PackedContext(runFile, kept.getProperty("sha256"), Files.size(archive),
                    Integer.parseInt(kept.getProperty("entries")), Long.parseLong(kept.getProperty("tarBytes")),
                    kept.getProperty("dockerfile"), format, fingerprint));
        } catch (RuntimeException e) {
            // a description that does not parse (edited by hand, say) describes nothing
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code packed} as {@code slot}'s context, replacing what the slot held: its file is hard-linked, not
     * copied. A context without a fingerprint (a file changed while it was packed) is not kept, nor is one whose
     * slot another build of this JVM holds.
     *
     * @return the kept archive, or empty if nothing was kept
     */
    public Optional<Path> keep(String slot, PackedContext packed) throws IOException {
        if (packed.fingerprint() == null) {
            return Optional.empty();
        }
        Files.createDirectories(directory);
        try (Lock lock = lock(slot)) {
            if (lock == null) {
                return Optional.empty();
            }
            // No description while the slot changes: a build killed in between leaves a slot that is never used.
            Files.deleteIfExists(description(slot));
            Path archive = archive(slot, packed.format());
            Path linking = directory.resolve(slot + ".linking");
            Files.deleteIfExists(linking);
            Files.createLink(linking, packed.archive());
            Files.move(linking, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            for (ContextFormat other : ContextFormat.values()) {
                if (other != packed.format()) {
                    Files.deleteIfExists(archive(slot, other));
                }
            }
            Properties description = new Properties();
            description.setProperty("fingerprint", packed.fingerprint());
            description.setProperty("format", packed.format().name());
            description.setProperty("sha256", packed.sha256());
            description.setProperty("size", Long.toString(packed.compressedSize()));
            description.setProperty("entries", Integer.toString(packed.entryCount()));
            description.setProperty("tarBytes", Long.toString(packed.uncompressedBytes()));
            description.setProperty("dockerfile", packed.dockerfile());
            Path writing = directory.resolve(slot + ".properties.writing");
            try (OutputStream out = Files.newOutputStream(writing)) {
                description.store(out, "The context last packed for this image, in " + archive.getFileName()
                        + "; see Portainer's staging.md");
            }
            Files.move(writing, description(slot), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return Optional.of(archive);
        }
    }

    private Path description(String slot) {
        return directory.resolve(slot + ".properties");
    }

    private Properties read(String slot) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(description(slot))) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return null;
        }
        return properties;
    }

    /** An exclusive lock on the slot across processes; null if this JVM holds it already (another thread). */
    private Lock lock(String slot) throws IOException {
        FileChannel channel = FileChannel.open(directory.resolve(slot + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            return new Lock(channel, channel.lock());
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A held slot lock; closing releases it. */
    private record Lock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            channel.close(); // releases the lock
        }
    }
}
