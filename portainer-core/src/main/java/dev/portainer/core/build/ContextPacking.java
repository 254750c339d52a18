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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pack step: every image's context into an archive in the work directory (removed when the run ends, its
 * {@code .part} too), then what builds killed before their clean-up left there. A plain tar where the agent reads it
 * in place, a tar.gz where it crosses a network. An image's context that did not change since its last pack is not
 * packed again: its archive is kept in the {@link ContextCache} of the work directory, and the run links it.
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

    /** The packed contexts, in the images' order. */
    List<PackedContext> packAll(List<ImageSpec> images) throws ContextException {
        Leftovers leftovers = Leftovers.ofThisProcess();
        // One slot per image, named as its result files are.
        Map<String, String> slots = BuildResultFiles.stems(images.stream().map(ImageSpec::image).toList());
        ContextCache cache = new ContextCache(settings.workDirectory().resolve(ContextCache.DIRECTORY));
        List<PackedContext> contexts = new ArrayList<>();
        for (ImageSpec image : images) {
            Path archive = settings.workDirectory().resolve(leftovers.prefix(PACKED_CONTEXT) + run.ids().get()
                    + format.extension());
            // The partial archive too: a SIGTERM while packing ends the JVM without the packer's own clean-up.
            run.guard().cleanup("remove " + archive, () -> {
                deleteQuietly(archive);
                deleteQuietly(ContextPacker.partialFile(archive));
            });
            contexts.add(pack(image, archive, cache, slots.get(image.image().name())));
        }
        removeContextsOfKilledBuilds(contexts, leftovers);
        return contexts;
    }

    private PackedContext pack(ImageSpec image, Path archive, ContextCache cache, String slot)
            throws ContextException {
        long start = System.nanoTime();
        try {
            // A context is walked twice when it changed (to look it up, then to pack it): say each skip once.
            Set<String> warned = new HashSet<>();
            ContextPacker.Builder builder = ContextPacker.builder().format(format).listener(new ContextPackListener() {
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
                return context;
            }
            PackedContext context = packer.pack(source, archive);
            run.events().info(packed(image.contextDirectory(), context, (System.nanoTime() - start) / 1_000_000));
            keep(cache, slot, context);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + archive, e);
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
     * The packed contexts (and {@code .part} files) that builds killed before their clean-up left in these contexts'
     * work directories; never those of a build still running, in this JVM ({@code mvn -T}) or another.
     */
    private void removeContextsOfKilledBuilds(List<PackedContext> contexts, Leftovers leftovers) {
        Set<Path> swept = new HashSet<>();
        for (PackedContext context : contexts) {
            Path directory = context.archive().getParent();
            if (!swept.add(directory)) {
                continue;
            }
            try {
                // Compared with the owner of what this build just wrote: this user's files only.
                List<Path> removed = leftovers.removeDead(directory, PACKED_CONTEXT,
                        Files.getOwner(context.archive()));
                if (!removed.isEmpty()) {
                    run.events().info("Removed what a killed build left in " + directory + ": " + String.join(", ",
                            removed.stream().map(p -> p.getFileName().toString()).sorted().toList()));
                }
            } catch (IOException e) {
                // Nothing to compare owners with: leave everything.
            }
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
