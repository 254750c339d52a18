package dev.portainer.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of a legacy-builder log ({@code Step 2/5 : COPY . /ctx/} and the lines up to the next step), as the
 * docker CLI prints it, or as the Maven log shows it with each line prefixed by {@code [image] }.
 */
final class BuildSteps {
    private static final Pattern STEP = Pattern.compile("Step \\d+/\\d+ : (.*)");
    private static final Pattern IMAGE_ID = Pattern.compile(" ---> ([0-9a-f]{12})\\s*$");

    /** One step: its instruction and the lines it printed after it. */
    record Step(String instruction, List<String> lines) {
        boolean isFrom() {
            return instruction.regionMatches(true, 0, "FROM ", 0, 5);
        }

        boolean usedCache() {
            return lines.stream().anyMatch(l -> l.contains(" ---> Using cache"));
        }

        /** The image the step made ({@code  ---> 1a2b3c4d5e6f}), or null. */
        String imageId() {
            String id = null;
            for (String line : lines) {
                Matcher m = IMAGE_ID.matcher(line);
                if (m.find()) {
                    id = m.group(1);
                }
            }
            return id;
        }
    }

    private BuildSteps() {
    }

    /**
     * The steps in {@code output}; with a non-null {@code image}, only the Maven log's lines of that image (after
     * their {@code [image] } prefix), since several images' lines interleave there.
     */
    static List<Step> of(String output, String image) {
        String prefix = image == null ? null : "[" + image + "] ";
        List<Step> steps = new ArrayList<>();
        for (String line : output.split("\r?\n")) {
            String text = line;
            if (prefix != null) {
                int at = line.indexOf(prefix);
                if (at < 0) {
                    continue;
                }
                text = line.substring(at + prefix.length());
            }
            Matcher step = STEP.matcher(text);
            if (step.find()) {
                steps.add(new Step(step.group(1).trim(), new ArrayList<>()));
            } else if (!steps.isEmpty()) {
                steps.get(steps.size() - 1).lines().add(text);
            }
        }
        return steps;
    }

    /**
     * The images the build made, base images (what a FROM step prints) left out: after the tagged image is
     * removed, a multi-stage build's earlier stages stay behind untagged unless removed by these ids.
     */
    static List<String> madeImages(String output, String image) {
        return of(output, image).stream().filter(s -> !s.isFrom()).map(Step::imageId)
                .filter(Objects::nonNull).toList();
    }
}
