package dev.portainer.core.build;

import dev.portainer.core.context.ContextCache;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.context.ContextPackListener;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.DockerfileLocation;
import dev.portainer.core.context.DockerfileTransform;
import dev.portainer.core.context.PackedContext;
import dev.portainer.core.dockerfile.PreparedDockerfile;
import dev.portainer.core.leftovers.Leftovers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The pack step: every image's context into an archive in the work directory (removed when the run ends, its
 * {@code .part} too), then what builds killed before their clean-up left there. A plain tar where the agent reads it
 * in place, a tar.gz where it crosses a network. An image's context that did not change since its last pack is not
 * packed again: its archive is kept in the {@link ContextCache} of the work directory, and the run links it. Where
 * the agent reads the archives in place, the changed contexts are packed on a thread of their own while the run
 * schedules their builds, which read each archive as it is written.
 */
final class ContextPacking {
    /** The packed contexts in the work directory: {@code context-pid<pid>-<uuid>.tar[.gz]}, see {@link Leftovers}. */
    static final String PACKED_CONTEXT = "context-";

    private final RunSettings settings;
    private final RunContext run;
    private final ContextFormat format;

    /** @param format how the contexts travel to the cluster's agents ({@link Cluster#contextFormat()}) */
    ContextPacking(RunSettings settings, RunContext run, ContextFormat format) {
        this.settings = settings;
        this.run = run;
        this.format = format;
    }

    /** The packed contexts, in the images' order: every one packed before this returns. */
    Packing packAll(List<ImageSpec> images) throws ContextException {
        return start(images, false);
    }

    /**
     * The contexts, in the images' order. Each one unchanged since the last build is reused at once; the others are
     * packed in the images' order, here, or with {@code whilePacked} on a thread of the run's own while the run goes
     * on (their tasks read them as they are written). What can be checked before packing (the Dockerfile, its place,
     * the .dockerignore) fails here; what only the packing finds (an unreadable file) fails {@link Packing#finish}.
     */
    Packing start(List<ImageSpec> images, boolean whilePacked) throws ContextException {
        Leftovers leftovers = Leftovers.ofThisProcess();
        // One slot per image, named as its result files are.
        Map<String, String> slots = BuildResultFiles.stems(images.stream().map(ImageSpec::image).toList());
        ContextCache cache = new ContextCache(settings.workDirectory().resolve(ContextCache.DIRECTORY));
        Packing packing = new Packing();
        List<Prepared> toPack = new ArrayList<>();
        for (ImageSpec image : images) {
            Path archive = settings.workDirectory().resolve(leftovers.prefix(PACKED_CONTEXT) + run.ids().get()
                    + format.extension());
            // The partial archive too: a SIGTERM while packing ends the JVM without the packer's own clean-up.
            run.guard().cleanup("remove " + archive, () -> {
                deleteQuietly(archive);
                deleteQuietly(ContextPacker.partialFile(archive));
            });
            Prepared pack = prepare(image, archive, cache, slots.get(image.image().name()), packing);
            if (pack.reused != null) {
                packing.archives.add(ContextArchive.of(pack.reused));
            } else if (whilePacked) {
                packing.archives.add(new ContextArchive(archive, format, pack.source.dockerfileInArchive(), null));
                toPack.add(pack);
            } else {
                packing.archives.add(ContextArchive.of(pack(pack, cache)));
            }
        }
        // Before the packing, which a run failing early (an unreachable master) may stop before its end.
        removeContextsOfKilledBuilds(settings.workDirectory(), leftovers);
        if (toPack.isEmpty()) {
            return packing;
        }
        // Stopped first when the run ends: no archive is begun after its clean-up removed the run's files.
        run.guard().cleanup("stop packing the build contexts", packing::stop);
        packing.start(() -> {
            for (Prepared pack : toPack) {
                if (packing.stopping) {
                    return;
                }
                PackedContext context = pack(pack, cache);
                int i = packing.archiveIndex(context.archive());
                packing.archives.set(i, ContextArchive.of(context));
            }
        });
        return packing;
    }

    /**
     * A run's contexts, some perhaps still being packed on the run's packing thread.
     */
    final class Packing {
        /** In the images' order; an entry is replaced by its packed context once packed. */
        private final List<ContextArchive> archives = new CopyOnWriteArrayList<>();
        private final List<Runnable> onFailure = new ArrayList<>();
        private Thread thread;
        private volatile boolean stopping;
        private RuntimeException failure;
        private ContextException contextFailure;

        /** The contexts, in the images' order, as the tasks get them: packed, or being packed. */
        List<ContextArchive> archives() {
            return List.copyOf(archives);
        }

        /** Runs {@code action} once if the packing fails (at once if it has failed already). */
        void onFailure(Runnable action) {
            boolean now;
            synchronized (this) {
                now = contextFailure != null || failure != null;
                if (!now) {
                    onFailure.add(action);
                }
            }
            if (now) {
                action.run();
            }
        }

        /**
         * Waits for the packing thread (once every build ended, its context was packed; if some did not, no archive is
         * begun after this and one under way stops at its next entry) and throws what made the packing fail before.
         */
        void finish() throws ContextException, InterruptedException {
            stopping = true;
            Thread packer = thread;
            if (packer != null) {
                packer.join();
            }
            checkNotFailed();
        }

        /** Throws what made the packing fail so far, if anything. */
        synchronized void checkNotFailed() throws ContextException {
            if (contextFailure != null) {
                throw contextFailure;
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** When the run ends early (Ctrl-C, a failure): stops the pack under way at once, its file read interrupted. */
        private void stop() throws InterruptedException {
            stopping = true;
            Thread packer = thread;
            if (packer != null) {
                packer.interrupt();
                packer.join(STOP_WAIT.toMillis());
            }
        }

        private int archiveIndex(Path archive) {
            for (int i = 0; i < archives.size(); i++) {
                if (archives.get(i).archive().equals(archive)) {
                    return i;
                }
            }
            throw new IllegalStateException("not a context of this run: " + archive);
        }

        private void start(PackingWork work) {
            thread = new Thread(() -> {
                try {
                    work.run();
                } catch (ContextException e) {
                    failed(e, null);
                } catch (RuntimeException e) {
                    failed(null, e);
                }
            }, "portainer-pack");
            thread.setDaemon(true);
            thread.start();
        }

        private void failed(ContextException context, RuntimeException other) {
            if (stopping) {
                return; // stopped: the run is ending for another reason, which it reports
            }
            List<Runnable> actions;
            synchronized (this) {
                contextFailure = context;
                failure = other;
                actions = List.copyOf(onFailure);
                onFailure.clear();
            }
            actions.forEach(Runnable::run);
        }
    }

    /** How long a stopping run waits for the packing thread to stop. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    @FunctionalInterface
    private interface PackingWork {
        void run() throws ContextException;
    }

    /** Thrown from the packer's listener to stop a pack under way when the run ends. */
    private static final class StoppedPacking extends RuntimeException {
        StoppedPacking() {
            super("packing stopped: the run is ending", null, false, false);
        }
    }

    /** An image's context ready to pack ({@code source}), or {@code reused} as it was packed for the last build. */
    private record Prepared(ImageSpec image, ContextPacker packer, ContextPacker.Source source, Path archive,
                            String slot, long start, PackedContext reused) {
    }

    private Prepared prepare(ImageSpec image, Path archive, ContextCache cache, String slot, Packing packing)
            throws ContextException {
        long start = System.nanoTime();
        try {
            // A context is walked twice when it changed (to look it up, then to pack it): say each skip once.
            Set<String> warned = new HashSet<>();
            ContextPacker.Builder builder = ContextPacker.builder().format(format).listener(new ContextPackListener() {
                @Override
                public void entryAdded(String path, long bytes) {
                    if (packing.stopping) {
                        throw new StoppedPacking();
                    }
                }

                @Override
                public void skipped(String path, String reason) {
                    if (warned.add(path)) {
                        run.events().warn("Left out of the build context: " + path + " (" + reason + ")");
                    }
                }
            });
            if (settings.reproducibleTime() != null) {
                builder.reproducible(settings.reproducibleTime());
            }
            ContextPacker packer = builder.build();
            DockerfileLocation dockerfile = DockerfileLocation.find(image.contextDirectory(), null,
                    image.dockerfile());
            if (dockerfile.outsideContext()) {
                run.events().info("Dockerfile " + dockerfile.file() + " is outside the context: sent along with it, as"
                        + " docker build -f does");
            }
            ContextPacker.Source source = packer.prepare(dockerfile, List.of(settings.workDirectory()),
                    dockerfileFor(image));
            // Nothing kept (a first build, after mvn clean, on CI): no walk to look it up, the pack walks anyway.
            Optional<PackedContext> kept = cache.holds(slot, format)
                    ? take(cache, slot, packer.fingerprint(source, archive), archive) : Optional.empty();
            if (kept.isPresent()) {
                PackedContext context = kept.get();
                run.events().info(String.format(Locale.ROOT, "Packed context %s: unchanged since it was packed for"
                        + " the last build, %s reused: %s, %s in %d ms, sha256 %s", image.contextDirectory(),
                        cache.archive(slot, format), entries(context), size(context),
                        (System.nanoTime() - start) / 1_000_000, context.sha256().substring(0, 12)));
                return new Prepared(image, packer, source, archive, slot, start, context);
            }
            return new Prepared(image, packer, source, archive, slot, start, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + archive, e);
        }
    }

    private PackedContext pack(Prepared pack, ContextCache cache) throws ContextException {
        try {
            PackedContext context = pack.packer.pack(pack.source, pack.archive);
            run.events().info(packed(pack.image.contextDirectory(), context,
                    (System.nanoTime() - pack.start) / 1_000_000));
            keep(cache, pack.slot, context);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + pack.archive, e);
        }
    }

    /** The log line of a packed context, e.g. {@code Packed context /app: 7 entries, 1.2 KB (…) in 3 ms, sha256 …}. */
    static String packed(Path contextDirectory, PackedContext context, long millis) {
        return String.format(Locale.ROOT, "Packed context %s: %s, %s in %d ms, sha256 %s", contextDirectory,
                entries(context), size(context), millis, context.sha256().substring(0, 12));
    }

    private static String entries(PackedContext context) {
        return context.entryCount() + (context.entryCount() == 1 ? " entry" : " entries");
    }

    private static String size(PackedContext context) {
        return context.format() == ContextFormat.TAR
                ? bytes(context.uncompressedBytes()) + " as a plain tar (read in place: not compressed)"
                : bytes(context.uncompressedBytes()) + " (" + bytes(context.compressedSize()) + " compressed)";
    }

    /** The kept context if it is current; a cache that cannot be read is no reason to fail the build. */
    private Optional<PackedContext> take(ContextCache cache, String slot, String fingerprint, Path archive) {
        try {
            return cache.take(slot, fingerprint, format, archive);
        } catch (IOException | UnsupportedOperationException e) {
            run.events().warn("Could not reuse the context packed for the last build in " + cache.archive(slot, format)
                    + " (" + e + "): packing it again");
            return Optional.empty();
        }
    }

    private void keep(ContextCache cache, String slot, PackedContext context) {
        if (context.fingerprint() == null) {
            run.events().info("Not kept for the next build: a file of the context changed while it was packed");
            return;
        }
        try {
            cache.keep(slot, context);
        } catch (IOException | UnsupportedOperationException e) {
            run.events().warn("Could not keep the packed context for the next build in "
                    + cache.archive(slot, format) + " (" + e + "); the next build packs it again");
        }
    }

    /**
     * The Dockerfile Docker gets, as prepared when the configuration was read (or now, for a spec made without it):
     * the packed copy says what the image name, resources and credentials were derived from, even if the file
     * changed since.
     */
    private DockerfileTransform dockerfileFor(ImageSpec image) {
        return (path, original) -> {
            PreparedDockerfile prepared = image.prepared() != null ? image.prepared()
                    : PreparedDockerfile.of(path, original, settings.pullRegistry(), image.options().buildArgs());
            prepared.notes().forEach(run.events()::info);
            prepared.warnings().forEach(warning -> run.events().warn(warning));
            return prepared.forDocker();
        };
    }

    /**
     * The packed contexts (and {@code .part} files) that builds killed before their clean-up left in the work directory;
     * never those of a build still running, in this JVM ({@code mvn -T}) or another.
     */
    private void removeContextsOfKilledBuilds(Path directory, Leftovers leftovers) {
        try {
            // Compared with the owner of a file this build writes there: this user's files only.
            Path probe = Files.createTempFile(directory, "owner-", ".probe");
            java.nio.file.attribute.UserPrincipal owner;
            try {
                owner = Files.getOwner(probe);
            } finally {
                Files.deleteIfExists(probe);
            }
            List<Path> removed = leftovers.removeDead(directory, PACKED_CONTEXT, owner);
            if (!removed.isEmpty()) {
                run.events().info("Removed what a killed build left in " + directory + ": " + String.join(", ",
                        removed.stream().map(p -> p.getFileName().toString()).sorted().toList()));
            }
        } catch (IOException e) {
            // Nothing to compare owners with: leave everything.
        }
    }

    private void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            run.events().warn("Could not remove " + file + ": " + e.getMessage());
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
    }
}
