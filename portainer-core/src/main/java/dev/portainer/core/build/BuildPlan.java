package dev.portainer.core.build;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One run: what its images share and the images, each with a name of its own (one image is a plan of one).
 *
 * @param settings what the images share
 * @param images   the images, in the order they are reported
 * @param listed   whether the images were given as a list: a list, even of one, is reported as a list (each log
 *                 line with its image's name, a summary at the end, numbered result properties)
 */
public record BuildPlan(RunSettings settings, List<ImageSpec> images, boolean listed) {
    public BuildPlan {
        Objects.requireNonNull(settings, "settings");
        images = List.copyOf(images);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("nothing to build");
        }
        Set<String> names = new HashSet<>();
        for (ImageSpec image : images) {
            if (!names.add(image.image().name())) {
                throw new InvalidSettingException(Message.of("Image ", image.image().name(), " is listed twice in ",
                        Setting.IMAGES.named(), "; give each element its own ", Setting.IMAGE.named()));
            }
        }
    }

    /** A plan of the images, listed when there are more than one. */
    public BuildPlan(RunSettings settings, List<ImageSpec> images) {
        this(settings, images, images.size() > 1);
    }

    /** Whether the plan is reported as a list (see {@code listed}). */
    public boolean several() {
        return listed || images.size() > 1;
    }
}
