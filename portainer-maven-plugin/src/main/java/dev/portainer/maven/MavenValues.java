package dev.portainer.maven;

import dev.portainer.core.auth.EnvironmentCredentials;
import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.dockerfile.PropertyFilter;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.PluginParameterExpressionEvaluator;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.component.configurator.expression.ExpressionEvaluationException;

/**
 * What Maven's {@code ${name}} means in a filtered Dockerfile ({@code filterDockerfile}), in the order a pom's own
 * references are resolved: the project's values ({@code ${project.build.finalName}}, {@code ${project.version}},
 * {@code ${basedir}}), then user properties ({@code -Dname=value}), the project's properties, and system properties
 * (with the environment as {@code ${env.NAME}}). A name none of them knows is Docker's own variable.
 */
final class MavenValues implements PropertyFilter.Properties {
    private final Function<String, Object> projectValues;
    private final List<Properties> properties;

    /**
     * @param projectValues a {@code project.*} or {@code basedir} name's value as Maven evaluates it, or null
     * @param user          the user properties ({@code -D})
     * @param project       the project's properties
     * @param system        the system properties, with Maven's {@code env.*}
     */
    MavenValues(Function<String, Object> projectValues, Properties user, Properties project, Properties system) {
        this.projectValues = projectValues;
        this.properties = List.of(user, project, system);
    }

    /** The values of this build, as Maven's own evaluator gives them to plugin parameters. */
    static MavenValues of(MavenSession session, MojoExecution execution, MavenProject project) {
        PluginParameterExpressionEvaluator evaluator = new PluginParameterExpressionEvaluator(session, execution);
        return new MavenValues(name -> {
            try {
                return evaluator.evaluate("${" + name + "}");
            } catch (ExpressionEvaluationException e) {
                return null;
            }
        }, session.getUserProperties(), project.getProperties(), session.getSystemProperties());
    }

    @Override
    public Optional<String> value(String name) {
        if (name.startsWith("env.") && EnvironmentCredentials.SECRET_VARIABLES.contains(name.substring(4))) {
            // A credential written into the Dockerfile ends up in the image and its history for anyone who pulls it.
            throw new InvalidSettingException(Message.of("The Dockerfile refers to ${", name, "}, a registry "
                    + "credential: ", Setting.FILTER_DOCKERFILE.named(), " never fills in credentials, which would "
                    + "stay in the image for anyone who pulls it; remove the reference"));
        }
        if (name.startsWith("project.") || name.equals("basedir")) {
            Optional<String> value = simple(projectValues.apply(name));
            if (value.isPresent()) {
                return value;
            }
        }
        for (Properties p : properties) {
            String value = p == null ? null : p.getProperty(name);
            if (value != null) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** A value that reads as text; an object (${project.build}, the project itself) is no value to fill in. */
    private static Optional<String> simple(Object value) {
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                || value instanceof Character) {
            return Optional.of(value.toString());
        }
        if (value instanceof File file) {
            return Optional.of(file.getPath());
        }
        if (value instanceof Path path) {
            return Optional.of(path.toString());
        }
        return Optional.empty();
    }
}
