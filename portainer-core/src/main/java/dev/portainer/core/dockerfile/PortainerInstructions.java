package dev.portainer.core.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The instructions that Dockerfiles written for the original (Python) Portainer may carry, which Docker does not
 * know: {@code REPOSITORY name} (the image's repository), {@code REGISTRY host[:port]} (where to push),
 * {@code BUILD_CPU n} and {@code BUILD_MEM mb} (the build task's resources). Like the original, the first of each
 * counts. Null when absent.
 */
public record PortainerInstructions(String repository, String registry, String buildCpu, String buildMem,
                                    List<Instruction> found) {
    /** The instruction keywords, upper case. */
    public static final List<String> KEYWORDS = List.of("REPOSITORY", "REGISTRY", "BUILD_CPU", "BUILD_MEM");

    /** A Dockerfile without any of them. */
    public static final PortainerInstructions NONE = new PortainerInstructions(null, null, null, null, List.of());

    public PortainerInstructions {
        found = List.copyOf(found);
    }

    /** Reads them from {@code dockerfile}. */
    public static PortainerInstructions of(Dockerfile dockerfile) {
        String repository = null;
        String registry = null;
        String cpu = null;
        String mem = null;
        List<Instruction> found = new ArrayList<>();
        for (Instruction instruction : dockerfile.instructions()) {
            String keyword = instruction.keyword().toUpperCase(Locale.ROOT);
            if (!KEYWORDS.contains(keyword)) {
                continue;
            }
            found.add(instruction);
            String value = instruction.arguments().isEmpty() ? null : instruction.arguments();
            switch (keyword) {
                case "REPOSITORY" -> repository = repository == null ? value : repository;
                case "REGISTRY" -> registry = registry == null ? value : registry;
                case "BUILD_CPU" -> cpu = cpu == null ? value : cpu;
                default -> mem = mem == null ? value : mem;
            }
        }
        return new PortainerInstructions(repository, registry, cpu, mem, found);
    }

    /** Whether the Dockerfile has any of them. */
    public boolean any() {
        return !found.isEmpty();
    }
}
