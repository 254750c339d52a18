package dev.portainer.maven;

import dev.portainer.core.config.Setting;
import dev.portainer.core.config.Suggestions;

/** How Maven users set what core's messages name: the parameter, and the property that sets it too. */
final class MavenSuggestions implements Suggestions {
    static final MavenSuggestions INSTANCE = new MavenSuggestions();

    private MavenSuggestions() {
    }

    @Override
    public String name(Setting setting) {
        return switch (setting) {
            case PLUGIN_CLASSPATH -> "the <dependencies> of portainer-maven-plugin in your pom";
            case MESOS_CREDENTIAL -> "the principal and the <password> of that server in settings.xml";
            default -> "<" + setting.key() + ">";
        };
    }

    @Override
    public String howToSet(Setting setting) {
        return switch (setting) {
            // set in the pom only
            case PLUGIN_CLASSPATH, IMAGES -> name(setting);
            case MESOS_CREDENTIAL -> howToSet(Setting.PRINCIPAL) + " to the framework principal and "
                    + howToSet(Setting.MESOS_SERVER_ID) + " to the id of a settings.xml <server> whose <password> is"
                    + " its secret";
            default -> name(setting) + " (portainer." + setting.key() + ")";
        };
    }
}
