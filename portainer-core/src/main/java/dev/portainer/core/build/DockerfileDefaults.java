package dev.portainer.core.build;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import dev.portainer.core.dockerfile.PortainerInstructions;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings that a Dockerfile written for the original Portainer carries ({@code REPOSITORY}, {@code REGISTRY},
 * {@code BUILD_CPU}, {@code BUILD_MEM}), merged with the pom's. A pom value counts as set when the Mojo passes it
 * (it passes null for a parameter the user did not configure, so that its default applies only after the
 * Dockerfile): the pom wins, then the Dockerfile, then the default.
 *
 * @param image      the image to build
 * @param buildCpu   cpus for the build task
 * @param buildMemMb memory in MB for the build task
 * @param notes      what was taken from or ignored in the Dockerfile, one line each, for the log
 */
public record DockerfileDefaults(ImageRef image, double buildCpu, double buildMemMb, List<Message> notes) {
    /** The build's cpus when neither the pom nor the Dockerfile says. */
    public static final double DEFAULT_CPU = 1;
    /** The build's memory in MB when neither the pom nor the Dockerfile says. */
    public static final double DEFAULT_MEM_MB = 512;

    public DockerfileDefaults {
        notes = List.copyOf(notes);
    }

    /**
     * Resolves the settings.
     *
     * @param found             the instructions of the Dockerfile
     * @param pomImage          {@code <image>}, or null when not configured
     * @param defaultRepository the repository when neither says (the artifactId)
     * @param pomCpu            {@code <buildCpu>}, or null
     * @param pomMemMb          {@code <buildMem>}, or null
     * @throws IllegalArgumentException a value is invalid; the message names the fix
     */
    public static DockerfileDefaults resolve(PortainerInstructions found, String pomImage, String defaultRepository,
                                             Double pomCpu, Double pomMemMb) {
        List<Message> notes = new ArrayList<>();
        String image;
        if (pomImage != null) {
            image = pomImage;
            if (found.repository() != null || found.registry() != null) {
                notes.add(Message.of("Dockerfile ", describe("REPOSITORY", found.repository()), describe("REGISTRY",
                        found.registry()), "ignored: ", Setting.IMAGE, " is set to ", pomImage));
            }
        } else if (found.repository() != null || found.registry() != null) {
            String repository = found.repository() != null ? found.repository() : defaultRepository;
            image = found.registry() != null ? found.registry() + "/" + repository : repository;
            notes.add(Message.of("Dockerfile ", describe("REPOSITORY", found.repository()), describe("REGISTRY",
                    found.registry()), "-> image ", image));
        } else {
            image = defaultRepository;
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(image);
        } catch (InvalidSettingException e) {
            if (pomImage == null && (found.repository() != null || found.registry() != null)) {
                throw new InvalidSettingException(Message.of(e.explanation(), " (the name comes from the Dockerfile's "
                        + "REPOSITORY/REGISTRY instructions; fix them or set ", Setting.IMAGE.named(), ")"), e);
            }
            throw e;
        }
        double cpu = pick("BUILD_CPU", found.buildCpu(), pomCpu, DEFAULT_CPU, Setting.BUILD_CPU, notes);
        double mem = pick("BUILD_MEM", found.buildMem(), pomMemMb, DEFAULT_MEM_MB, Setting.BUILD_MEM, notes);
        return new DockerfileDefaults(ref, cpu, mem, notes);
    }

    private static double pick(String instruction, String fromDockerfile, Double pom, double fallback,
                               Setting param, List<Message> notes) {
        if (pom != null) {
            if (fromDockerfile != null) {
                notes.add(Message.of("Dockerfile ", instruction, " ", fromDockerfile, " ignored: ", param,
                        " is set to ", pom));
            }
            return pom;
        }
        if (fromDockerfile == null) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(fromDockerfile.trim());
            notes.add(Message.of("Dockerfile ", instruction, " ", fromDockerfile, " -> ", param.key(), " ", value));
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(Message.of("The Dockerfile's ", instruction, " '", fromDockerfile,
                    "' is not a number: fix it, or set ", param, " which wins"));
        }
    }

    private static String describe(String instruction, String value) {
        return value == null ? "" : instruction + " " + value + " ";
    }
}
