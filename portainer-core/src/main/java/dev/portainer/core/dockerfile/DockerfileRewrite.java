package dev.portainer.core.dockerfile;

import dev.portainer.wire.image.ImageNames;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the user's Dockerfile into the one Docker gets: strips the original Portainer's own instructions (see
 * {@link PortainerInstructions}) and, with a pull registry, makes base images without a registry host come from it
 * ({@code FROM}, {@code COPY --from=image}, {@code RUN --mount=from=image}). Build stages, {@code scratch} and
 * references whose {@code ARG}s cannot be resolved are left alone. Every changed instruction keeps its line count
 * (the extra lines become comments), so Docker's line numbers in errors still match the user's file.
 */
public final class DockerfileRewrite {
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?}"
            + "|([A-Za-z_][A-Za-z0-9_]*))");

    private DockerfileRewrite() {
    }

    /**
     * What the rewrite produced.
     *
     * @param text     the Dockerfile for Docker
     * @param changed  whether it differs from the input
     * @param notes    what was changed, one line each, for the build log
     * @param warnings what was left alone although it might matter, one line each
     */
    public record Result(String text, boolean changed, List<String> notes, List<Message> warnings) {
        public Result {
            notes = List.copyOf(notes);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Rewrites {@code dockerfile}.
     *
     * @param pullRegistry registry {@code host[:port]} for base images without one, or null to keep them
     * @param buildArgs    the build's args, to resolve {@code ARG}s used in {@code FROM}
     */
    public static Result rewrite(Dockerfile dockerfile, String pullRegistry, Map<String, String> buildArgs) {
        List<String> lines = new ArrayList<>(dockerfile.lines());
        List<String> notes = new ArrayList<>();
        List<Message> warnings = new ArrayList<>();
        Set<String> stages = new HashSet<>();
        Map<String, String> globalArgs = new HashMap<>();
        boolean seenFrom = false;
        boolean changed = false;
        for (Instruction instruction : dockerfile.instructions()) {
            String keyword = instruction.keyword().toUpperCase(Locale.ROOT);
            if (PortainerInstructions.KEYWORDS.contains(keyword)) {
                replace(lines, instruction, "# " + keyword + " " + instruction.arguments()
                        + " (read by Portainer, not sent to Docker)");
                changed = true;
                continue;
            }
            if (keyword.equals("ARG") && !seenFrom) {
                readArgs(instruction.arguments(), globalArgs);
            }
            if (keyword.equals("FROM")) {
                seenFrom = true;
                String[] words = instruction.arguments().split("\\s+");
                String stage = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
                String image = words[0];
                if (pullRegistry != null && !image.isEmpty()) {
                    String target = pulledFrom(image, pullRegistry, stages, globalArgs, buildArgs, instruction,
                            warnings);
                    if (target != null) {
                        StringBuilder line = new StringBuilder(instruction.keyword());
                        instruction.flags().forEach(f -> line.append(' ').append(f));
                        line.append(' ').append(target);
                        for (int k = 1; k < words.length; k++) {
                            line.append(' ').append(words[k]);
                        }
                        replace(lines, instruction, line.toString());
                        notes.add("line " + instruction.lineNumber() + ": FROM " + image + " -> " + target);
                        changed = true;
                    }
                }
                if (stage != null) {
                    stages.add(stage.toLowerCase(Locale.ROOT));
                }
                continue;
            }
            if (pullRegistry != null && (keyword.equals("COPY") || keyword.equals("RUN")) && !instruction.heredoc()) {
                List<String> flags = new ArrayList<>(instruction.flags());
                boolean flagChanged = false;
                for (int k = 0; k < flags.size(); k++) {
                    String rewritten = rewriteFlag(keyword, flags.get(k), pullRegistry, stages, globalArgs, buildArgs,
                            instruction, warnings, notes);
                    if (rewritten != null) {
                        flags.set(k, rewritten);
                        flagChanged = true;
                    }
                }
                if (flagChanged) {
                    StringBuilder line = new StringBuilder(instruction.keyword());
                    flags.forEach(f -> line.append(' ').append(f));
                    if (!instruction.arguments().isEmpty()) {
                        line.append(' ').append(instruction.arguments());
                    }
                    replace(lines, instruction, line.toString());
                    changed = true;
                }
            }
        }
        if (!changed) {
            return new Result(String.join("\n", dockerfile.lines()) + (dockerfile.finalNewline() ? "\n" : ""),
                    false, notes, warnings);
        }
        return new Result(String.join("\n", lines) + (dockerfile.finalNewline() ? "\n" : ""), true, notes,
                warnings);
    }

    /**
     * The images {@code dockerfile} pulls, in order and each once: {@code FROM} images, {@code COPY --from=image} and
     * {@code RUN --mount=from=image}, with {@code ARG}s before the first {@code FROM} resolved as Docker resolves them
     * (build args over defaults). Build stages, stage indexes, {@code scratch} and references whose {@code ARG}s have
     * no value are left out: Docker pulls none of them.
     */
    public static List<String> pulledImages(Dockerfile dockerfile, Map<String, String> buildArgs) {
        Set<String> images = new java.util.LinkedHashSet<>();
        Set<String> stages = new HashSet<>();
        Map<String, String> globalArgs = new HashMap<>();
        boolean seenFrom = false;
        for (Instruction instruction : dockerfile.instructions()) {
            String keyword = instruction.keyword().toUpperCase(Locale.ROOT);
            List<String> references = new ArrayList<>();
            String stage = null;
            if (keyword.equals("ARG") && !seenFrom) {
                readArgs(instruction.arguments(), globalArgs);
            } else if (keyword.equals("FROM")) {
                seenFrom = true;
                String[] words = instruction.arguments().split("\\s+");
                references.add(words[0]);
                stage = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
            } else if ((keyword.equals("COPY") || keyword.equals("RUN")) && !instruction.heredoc()) {
                for (String flag : instruction.flags()) {
                    String lower = flag.toLowerCase(Locale.ROOT);
                    if (keyword.equals("COPY") && lower.startsWith("--from=")) {
                        references.add(flag.substring("--from=".length()));
                    } else if (keyword.equals("RUN") && lower.startsWith("--mount=")) {
                        for (String option : flag.substring("--mount=".length()).split(",", -1)) {
                            if (option.toLowerCase(Locale.ROOT).startsWith("from=")) {
                                references.add(option.substring("from=".length()));
                            }
                        }
                    }
                }
            }
            for (String reference : references) {
                // a stage is known from its FROM on, so "FROM x AS x" still pulls x
                String resolved = reference.contains("$") ? expand(reference, globalArgs, buildArgs) : reference;
                if (resolved != null && !resolved.isEmpty() && !resolved.matches("[0-9]+")
                        && !resolved.equalsIgnoreCase("scratch") && !stages.contains(resolved.toLowerCase(Locale.ROOT))) {
                    images.add(resolved);
                }
            }
            if (stage != null) {
                stages.add(stage.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(images);
    }

    private static String rewriteFlag(String keyword, String flag, String registry, Set<String> stages,
                                      Map<String, String> globalArgs, Map<String, String> buildArgs,
                                      Instruction instruction, List<Message> warnings, List<String> notes) {
        String lower = flag.toLowerCase(Locale.ROOT);
        if (keyword.equals("COPY") && lower.startsWith("--from=")) {
            String from = flag.substring("--from=".length());
            if (from.matches("[0-9]+")) {
                return null; // a stage by index
            }
            String target = pulledFrom(from, registry, stages, globalArgs, buildArgs, instruction, warnings);
            if (target == null) {
                return null;
            }
            notes.add("line " + instruction.lineNumber() + ": COPY --from=" + from + " -> " + target);
            return flag.substring(0, "--from=".length()) + target;
        }
        if (keyword.equals("RUN") && lower.startsWith("--mount=")) {
            String[] options = flag.substring("--mount=".length()).split(",", -1);
            boolean changed = false;
            for (int k = 0; k < options.length; k++) {
                if (options[k].toLowerCase(Locale.ROOT).startsWith("from=")) {
                    String from = options[k].substring("from=".length());
                    String target = pulledFrom(from, registry, stages, globalArgs, buildArgs, instruction, warnings);
                    if (target != null) {
                        notes.add("line " + instruction.lineNumber() + ": RUN --mount from=" + from + " -> "
                                + target);
                        options[k] = options[k].substring(0, "from=".length()) + target;
                        changed = true;
                    }
                }
            }
            return changed ? flag.substring(0, "--mount=".length()) + String.join(",", options) : null;
        }
        return null;
    }

    /** Where {@code image} must come from, or null to leave the reference as written. */
    private static String pulledFrom(String image, String registry, Set<String> stages, Map<String, String> globalArgs,
                                     Map<String, String> buildArgs, Instruction instruction, List<Message> warnings) {
        String resolved = image;
        if (image.contains("$")) {
            resolved = expand(image, globalArgs, buildArgs);
            if (resolved == null) {
                warnings.add(Message.of("line ", instruction.lineNumber(), ": ", instruction.keyword(), " ", image,
                        " uses an ARG without a value here, so ", Setting.PULL_REGISTRY.named(), " cannot be applied"
                        + " to it; give the ARG a default before the first FROM or a value in ",
                        Setting.BUILD_ARGS.named(), ", or write the registry in"));
                return null;
            }
        }
        if (resolved.equalsIgnoreCase("scratch") || stages.contains(resolved.toLowerCase(Locale.ROOT))
                || ImageNames.hasRegistryHost(resolved)) {
            return null;
        }
        return ImageNames.onRegistry(registry, resolved);
    }

    // Docker's ARG before FROM: "ARG NAME" or "ARG NAME=value", several per line, values possibly quoted.
    private static void readArgs(String arguments, Map<String, String> args) {
        for (String word : arguments.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int eq = word.indexOf('=');
            if (eq < 0) {
                args.putIfAbsent(word, null);
            } else {
                String value = word.substring(eq + 1);
                if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                        || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                args.put(word.substring(0, eq), value);
            }
        }
    }

    /** Expands {@code $X}, {@code ${X}}, {@code ${X:-d}}, {@code ${X:+d}}; null when a variable has no value. */
    static String expand(String text, Map<String, String> globalArgs, Map<String, String> buildArgs) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(4);
            // Only ARGs declared before the first FROM are visible to FROM; a build arg overrides their default.
            String value = null;
            if (globalArgs.containsKey(name)) {
                value = buildArgs.containsKey(name) ? buildArgs.get(name) : globalArgs.get(name);
            }
            String modifier = m.group(2);
            if ("-".equals(modifier)) {
                value = value == null || value.isEmpty() ? m.group(3) : value;
            } else if ("+".equals(modifier)) {
                value = value == null || value.isEmpty() ? "" : m.group(3);
            }
            if (value == null) {
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void replace(List<String> lines, Instruction instruction, String replacement) {
        lines.set(instruction.firstLine(), replacement);
        for (int k = instruction.firstLine() + 1; k < instruction.endLine(); k++) {
            lines.set(k, "#");
        }
    }
}
