package dev.portainer.core.build;

import dev.portainer.core.context.ContextException;
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
import java.util.Set;

/**
 * The pack step: every image's context into an archive in the work directory (removed when the run ends, its
 * {@code .part} too), then what builds killed before their clean-up left there.
 */
final class ContextPacking {
    /** The packed contexts in the work directory: {@code context-pid<pid>-<uuid>.tar.gz}, see {@link Leftovers}. */
    static final String PACKED_CONTEXT = "context-";

    private final RunSettings settings;
    private final RunContext run;

    ContextPacking(RunSettings settings, RunContext run) {
        this.settings = settings;
        this.run = run;
    }

    /** The packed contexts, in the images' order. */
    List<PackedContext> packAll(List<ImageSpec> images) throws ContextException {
        Leftovers leftovers = Leftovers.ofThisProcess();
        List<PackedContext> contexts = new ArrayList<>();
        for (ImageSpec image : images) {
            Path archive = settings.workDirectory().resolve(leftovers.prefix(PACKED_CONTEXT) + run.ids().get()
                    + ".tar.gz");
            // The partial archive too: a SIGTERM while packing ends the JVM without the packer's own clean-up.
            run.guard().cleanup("remove " + archive, () -> {
                deleteQuietly(archive);
                deleteQuietly(ContextPacker.partialFile(archive));
            });
            contexts.add(pack(image, archive));
        }
        removeContextsOfKilledBuilds(contexts, leftovers);
        return contexts;
    }

    private PackedContext pack(ImageSpec image, Path archive) throws ContextException {
        long start = System.nanoTime();
        try {
            ContextPacker.Builder packer = ContextPacker.builder().listener(new ContextPackListener() {
                @Override
                public void skipped(String path, String reason) {
                    run.events().warn("Left out of the build context: " + path + " (" + reason + ")");
                }
            });
            if (settings.reproducibleTime() != null) {
                packer.reproducible(settings.reproducibleTime());
            }
            DockerfileLocation dockerfile = DockerfileLocation.find(image.contextDirectory(), null,
                    image.dockerfile());
            if (dockerfile.outsideContext()) {
                run.events().info("Dockerfile " + dockerfile.file() + " is outside the context: sent along with it, as"
                        + " docker build -f does");
            }
            PackedContext context = packer.build().pack(dockerfile, archive, List.of(settings.workDirectory()),
                    dockerfileFor(image));
            run.events().info(String.format("Packed context %s: %d entries, %s (%s compressed) in %d ms, sha256 %s",
                    image.contextDirectory(), context.entryCount(), bytes(context.uncompressedBytes()),
                    bytes(context.compressedSize()), (System.nanoTime() - start) / 1_000_000,
                    context.sha256().substring(0, 12)));
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the packed build context to " + archive, e);
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
