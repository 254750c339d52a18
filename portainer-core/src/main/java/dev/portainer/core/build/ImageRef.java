package dev.portainer.core.build;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import dev.portainer.wire.image.ImageNames;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An image repository as Docker names it ({@code [registry-host[:port]/]path}), without tag or digest, and the
 * checks Docker's reference grammar makes, so a bad name fails before anything reaches the cluster.
 */
public record ImageRef(String registry, String path) {
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    /** Parses {@code image} as given in the pom; the message of the exception says how to fix it. */
    public static ImageRef parse(String image) {
        if (image == null || image.isBlank()) {
            throw new InvalidSettingException(Message.of("No image name: set ", Setting.IMAGE, ", e.g. "
                    + "registry.example.com:5000/team/app"));
        }
        if (image.contains("@")) {
            throw invalid(image, "it contains a digest; give the repository only");
        }
        String registry = ImageNames.registryHost(image);
        String path = registry == null ? image : image.substring(registry.length() + 1);
        if (registry != null && ImageNames.hostOnlyByCase(registry)) {
            throw invalid(image, "'" + registry + "' has upper-case letters: Docker 20.10 refuses the name and newer "
                    + "Docker takes '" + registry + "' for a registry host; write the repository in lower case, or "
                    + "name the registry with its domain or port");
        }
        if (registry != null && !HOST.matcher(registry).matches()) {
            throw invalid(image, "'" + registry + "' is not a valid registry host[:port]");
        }
        if (path.contains(":")) {
            throw invalid(image, Message.of("it contains a tag; put tags in ", Setting.TAGS, " instead"));
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(image, "'" + component + "' is not a valid repository name component "
                        + "(lowercase letters, digits and single separators . _ __ - only)");
            }
        }
        if (image.length() > 255) {
            throw invalid(image, "it is longer than 255 characters");
        }
        return new ImageRef(registry, path);
    }

    /** Checks tags with Docker's grammar; returns them unchanged. */
    public static List<String> validTags(List<String> tags) {
        if (tags.isEmpty()) {
            throw new InvalidSettingException(Message.of("No tag: set ", Setting.TAGS, ", e.g. 1.0.0,latest"));
        }
        for (String tag : tags) {
            if (!TAG.matcher(tag).matches()) {
                throw new InvalidSettingException(Message.of("Invalid tag '", tag, "': a tag is up to 128 letters, "
                        + "digits, '_', '.' and '-', not starting with '.' or '-'; fix ", Setting.TAGS));
            }
        }
        return List.copyOf(tags);
    }

    private static InvalidSettingException invalid(String image, String why) {
        return invalid(image, Message.of(why));
    }

    private static InvalidSettingException invalid(String image, Message why) {
        return new InvalidSettingException(Message.of("Invalid image name '", image, "': ").append(why)
                .append("; fix ", Setting.IMAGE));
    }

    /** The repository as Docker writes it. */
    public String name() {
        return registry == null ? path : registry + "/" + path;
    }

    /** A file name for results under target/portainer: the repository's last path component. */
    public String fileStem() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public String toString() {
        return name();
    }
}
