package dev.portainer.core.config;

/**
 * How a front end names {@link Setting}s in what core tells its users: the Maven plugin says {@code <buildCpu>
 * (portainer.buildCpu)}, core by itself just {@code buildCpu}.
 */
public interface Suggestions {
    /** Core's own names. */
    Suggestions PLAIN = Setting::key;

    /** The setting named briefly, e.g. {@code <buildCpu>}. */
    String name(Setting setting);

    /** The setting named so that the user knows where to set it, e.g. {@code <buildCpu> (portainer.buildCpu)}. */
    default String howToSet(Setting setting) {
        return name(setting);
    }

    /** What {@code failure} tells the user: its {@link Message} in these terms when it has one, else its message. */
    default String describe(Throwable failure) {
        return failure instanceof Explained explained ? explained.explanation().render(this) : failure.getMessage();
    }
}
