package dev.portainer.core.build;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.context.PackedContext;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An image's context as its task gets it: packed, or still being packed on the run's packing thread (the executor then
 * reads the archive as it is written, see {@code BuildSpec.contextGrowing}).
 *
 * @param archive    where the archive is, or will be once complete (written as {@code <archive>.part} until then)
 * @param format     tar or tar.gz
 * @param dockerfile the Dockerfile's '/'-separated path inside the archive
 * @param packed     the packed context, or null while it is being packed
 */
record ContextArchive(Path archive, ContextFormat format, String dockerfile, PackedContext packed) {
    ContextArchive {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(dockerfile, "dockerfile");
    }

    /** A context packed before its task is made. */
    static ContextArchive of(PackedContext packed) {
        return new ContextArchive(packed.archive(), packed.format(), packed.dockerfile(), packed);
    }

    /** Whether the task reads it while it is still being packed. */
    boolean growing() {
        return packed == null;
    }
}
