package dev.portainer.core.build;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.wire.BuildOptions;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code docker build} options a user may ask for: checked where the user asks (an {@link ImageSpec}), so that
 * a mistake is the user's to fix before anything runs, and the wire carries only what passed.
 */
public final class BuildOptionsRules {
    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern EXTRA_HOST = Pattern.compile("[^:\\s]+:[0-9A-Fa-f.:\\[\\]]+");
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9_]+(/[a-z0-9_]+(/[a-z0-9_]+)?)?");

    private BuildOptionsRules() {
    }

    /** Returns {@code options} when every one is something Docker takes; else the refusal names the setting. */
    public static BuildOptions check(BuildOptions options) {
        for (Map.Entry<String, String> arg : options.buildArgs().entrySet()) {
            if (!ARG_NAME.matcher(arg.getKey()).matches()) {
                throw new InvalidSettingException(Message.of("Invalid build arg name '", arg.getKey(), "': use letters,"
                        + " digits and '_', not starting with a digit; fix ", Setting.BUILD_ARGS));
            }
            if (arg.getValue() == null) {
                throw missingValue(arg.getKey());
            }
        }
        for (Map.Entry<String, String> label : options.labels().entrySet()) {
            if (label.getKey().isBlank() || label.getValue() == null) {
                throw new InvalidSettingException(Message.of("Label '", label.getKey(), "' has no value: write it as"
                        + " key=value (an empty value is written key=); fix ", Setting.LABELS));
            }
        }
        for (String host : options.extraHosts()) {
            if (!EXTRA_HOST.matcher(host).matches()) {
                throw new InvalidSettingException(Message.of("Invalid extra host '", host, "': write it as host:ip,"
                        + " e.g. db.internal:10.0.0.5; fix ", Setting.EXTRA_HOSTS));
            }
        }
        if (options.shmSize() != null && options.shmSize() <= 0) {
            throw new InvalidSettingException(Message.of("shmSize must be more than 0 bytes (got ", options.shmSize(),
                    "); fix ", Setting.SHM_SIZE));
        }
        if (options.platform() != null && !PLATFORM.matcher(options.platform()).matches()) {
            throw new InvalidSettingException(Message.of("Invalid platform '", options.platform(), "': write it as"
                    + " os[/arch[/variant]], e.g. linux/amd64 or linux/arm64/v8; fix ", Setting.PLATFORM));
        }
        return options;
    }

    /** The refusal of a build arg {@code name} given without {@code =value}. */
    public static InvalidSettingException missingValue(String name) {
        return new InvalidSettingException(Message.of("Build arg '", name, "' has no value: write it as ", name,
                "=value in ", Setting.BUILD_ARGS, ". Docker's CLI would take a bare name's value from its"
                + " environment, but the build runs on a Mesos agent whose environment is not this Maven JVM's, so"
                + " Portainer refuses rather than guess"));
    }
}
