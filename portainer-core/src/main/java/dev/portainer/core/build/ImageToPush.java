package dev.portainer.core.build;

import dev.portainer.wire.auth.RegistryAuth;
import java.util.Objects;

/**
 * One image to push that an earlier build made: what that build recorded (its result file), and the registry
 * credentials the push uses.
 *
 * @param built       the earlier build's result: repository, tags, image id and the agent whose daemon has the image
 * @param credentials registry credentials for the push
 */
public record ImageToPush(BuildResult built, RegistryAuth credentials) {
    public ImageToPush {
        Objects.requireNonNull(built, "built");
        if (built.imageId() == null || built.imageId().isBlank()) {
            throw new IllegalArgumentException("the build of " + built.image().name() + " recorded no image id");
        }
        if (built.agent() == null || built.agent().isBlank()) {
            throw new IllegalArgumentException("the build of " + built.image().name() + " recorded no agent");
        }
        credentials = credentials == null ? RegistryAuth.NONE : credentials;
    }

    /** The reference of the first tag, e.g. {@code 127.0.0.1:5000/team/app:1.0}. */
    public String primaryReference() {
        return built.image().name() + ":" + built.tags().get(0);
    }
}
