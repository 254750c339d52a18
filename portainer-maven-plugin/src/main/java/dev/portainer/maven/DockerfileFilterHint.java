package dev.portainer.maven;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Setting;
import dev.portainer.core.dockerfile.PreparedDockerfile;
import dev.portainer.core.dockerfile.PropertyFilter;

/**
 * Says that {@code filterDockerfile} exists when Docker fails on a Maven reference it cannot read: Docker's own words
 * for {@code COPY target/${project.build.finalName}.jar} are only "failed to process …: missing ':' in substitution".
 */
final class DockerfileFilterHint {
    private DockerfileFilterHint() {
    }

    /**
     * The hint, or null when the Dockerfile was filtered already or Docker's error quotes no reference Maven knows.
     *
     * @param prepared the Dockerfile as Docker got it (null when not known)
     * @param maven    what Maven's {@code ${…}} means in this build
     */
    static String forError(String dockerError, PreparedDockerfile prepared, PropertyFilter.Properties maven) {
        if (dockerError == null || prepared == null || prepared.filtered() != null) {
            return null;
        }
        for (String name : PropertyFilter.namesIn(dockerError)) {
            if (name.startsWith("project.") || known(maven, name)) {
                return "${" + name + "} is Maven's, not Docker's: to have the plugin fill in Maven's ${…} in the "
                        + "Dockerfile, set " + MavenSuggestions.INSTANCE.howToSet(Setting.FILTER_DOCKERFILE)
                        + " to true";
            }
        }
        return null;
    }

    private static boolean known(PropertyFilter.Properties maven, String name) {
        try {
            return maven.value(name).isPresent();
        } catch (InvalidSettingException refused) {
            return false;
        }
    }
}
