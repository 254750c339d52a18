package dev.portainer.core.build;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.core.dockerfile.PreparedDockerfile;
import dev.portainer.wire.BuildOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One image of a run: its context and Dockerfile, its name and tags, what its build task asks Mesos for, its
 * {@code docker build} options and the registry credentials its pulls and push use.
 *
 * @param contextDirectory the Docker build context
 * @param dockerfile       the Dockerfile: a path relative to the context, '/'-separated, or an absolute path (as
 *                         {@link dev.portainer.core.context.DockerfileLocation#find} found it), inside the context
 *                         or not
 * @param prepared         the Dockerfile as read once for this build (see {@link PreparedDockerfile}), or null to
 *                         read it when the context is packed
 * @param image            the repository to build and push
 * @param tags             the tags, validated; the first is the one built
 * @param cpus             cpus the build task asks Mesos for
 * @param memMb            memory in MB the build task asks Mesos for
 * @param options          the {@code docker build} options
 * @param credentials      registry credentials for the push and the base images' pulls
 */
public record ImageSpec(Path contextDirectory, String dockerfile, PreparedDockerfile prepared, ImageRef image,
                        List<String> tags, double cpus, double memMb, BuildOptions options,
                        RegistryAuth credentials) {
    public ImageSpec {
        Objects.requireNonNull(contextDirectory, "contextDirectory");
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(image, "image");
        tags = ImageRef.validTags(tags);
        if (!(cpus > 0) || Double.isInfinite(cpus)) {
            throw new InvalidSettingException(Message.of("buildCpu must be a number of CPUs more than 0 (got ", cpus,
                    "); fix ", Setting.BUILD_CPU));
        }
        if (!(memMb >= 32) || Double.isInfinite(memMb)) {
            throw new InvalidSettingException(Message.of("buildMem must be a number of MB, at least 32 (got ", memMb,
                    "); fix ", Setting.BUILD_MEM));
        }
        options = BuildOptionsRules.check(options == null ? BuildOptions.NONE : options);
        credentials = credentials == null ? RegistryAuth.NONE : credentials;
    }

    /** The reference of the first tag, e.g. {@code 127.0.0.1:5000/team/app:1.0}. */
    public String primaryReference() {
        return image.name() + ":" + tags.get(0);
    }

    /** Starts a spec for the context, image and tags given, with every other value at its default. */
    public static Builder builder(Path contextDirectory, ImageRef image, List<String> tags) {
        return new Builder(contextDirectory, image, tags);
    }

    /** Builds a spec field by field. */
    public static final class Builder {
        private final Path contextDirectory;
        private final ImageRef image;
        private final List<String> tags;
        private String dockerfile = "Dockerfile";
        private PreparedDockerfile prepared;
        private double cpus = DockerfileDefaults.DEFAULT_CPU;
        private double memMb = DockerfileDefaults.DEFAULT_MEM_MB;
        private BuildOptions options = BuildOptions.NONE;
        private RegistryAuth credentials = RegistryAuth.NONE;

        private Builder(Path contextDirectory, ImageRef image, List<String> tags) {
            this.contextDirectory = contextDirectory;
            this.image = image;
            this.tags = tags;
        }

        public Builder dockerfile(String value) {
            dockerfile = value;
            return this;
        }

        /** The Dockerfile already read and prepared for this build: packing sends what it says. */
        public Builder prepared(PreparedDockerfile value) {
            prepared = value;
            return this;
        }

        public Builder resources(double cpusValue, double memMbValue) {
            cpus = cpusValue;
            memMb = memMbValue;
            return this;
        }

        public Builder options(BuildOptions value) {
            options = value;
            return this;
        }

        public Builder credentials(RegistryAuth value) {
            credentials = value;
            return this;
        }

        public ImageSpec build() {
            return new ImageSpec(contextDirectory, dockerfile, prepared, image, tags, cpus, memMb, options,
                    credentials);
        }
    }
}
