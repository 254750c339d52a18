package dev.portainer.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The one Maven project that builds every case with {@code portainer:build}: a pom with one {@code <images>} element
 * per case, so that one run (one embedded Mesos, builds in parallel) builds them all.
 */
final class FidelityProject {
    /**
     * How a run ended.
     *
     * @param refused the cases portainer:build refused before building anything, with Maven's error
     * @param log     the log of the run that built the others
     */
    record Outcome(Map<String, String> refused, String log) {
    }

    private FidelityProject() {
    }

    /**
     * Runs {@code portainer:build} over the cases. A context or configuration error fails the whole run before any
     * image is built; the case it names is then set aside as refused and the others are run again, so that one
     * such case does not hide what all the others do.
     *
     * @param label       names the pom and the logs kept in the project (pom-label.xml, build-label-n.log)
     * @param image       each case's image name (without tag)
     * @param removed     variables taken out of Maven's environment
     * @param environment variables set in Maven's environment
     */
    static Outcome build(Path project, String label, List<FidelityCase> cases, Function<FidelityCase, String> image,
                         String tag, boolean noCache, Set<String> removed, Map<String, String> environment)
            throws IOException, InterruptedException {
        return build(project, label, cases, image, tag, noCache, removed, environment, List.of());
    }

    /** Like the other, with more arguments for Maven ({@code -D…}). */
    static Outcome build(Path project, String label, List<FidelityCase> cases, Function<FidelityCase, String> image,
                         String tag, boolean noCache, Set<String> removed, Map<String, String> environment,
                         List<String> mavenArgs) throws IOException, InterruptedException {
        List<FidelityCase> left = new ArrayList<>(cases);
        Map<String, String> refused = new LinkedHashMap<>();
        String log = "";
        for (int attempt = 1; !left.isEmpty(); attempt++) {
            Path pom = project.resolve("pom-" + label + ".xml");
            Files.writeString(pom, pom(left, image, tag, noCache), StandardCharsets.UTF_8);
            long start = System.nanoTime();
            List<String> args = new ArrayList<>(List.of("-f", pom.toString(), "portainer:build"));
            args.addAll(mavenArgs);
            MavenRun.Outcome run = MavenRun.runWithout(project, removed, environment, args.toArray(String[]::new));
            System.out.printf(Locale.ROOT, "portainer:build of %d cases (%s, run %d): %d s%n", left.size(),
                    label, attempt, (System.nanoTime() - start) / 1_000_000_000);
            Files.copy(project.resolve("build.log"), project.resolve("build-" + label + "-" + attempt + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
            log = run.output();
            if (log.contains("Images built (")) {
                break;
            }
            String error = run.output().lines().filter(l -> l.startsWith("[ERROR] Failed to execute goal")).findFirst()
                    .orElse("Maven failed without building anything; see " + project.resolve("build-" + label + "-"
                            + attempt + ".log"));
            List<FidelityCase> named = left.stream().filter(c -> names(error, c)).toList();
            for (FidelityCase c : named.isEmpty() ? left : named) {
                refused.put(c.name(), error);
            }
            left.removeAll(named.isEmpty() ? List.copyOf(left) : named);
        }
        return new Outcome(refused, log);
    }

    // The error names the case's context or Dockerfile (cases/<name>/...), and not a case whose name starts alike.
    private static boolean names(String error, FidelityCase c) {
        return Pattern.compile("cases/" + Pattern.quote(c.name()) + "(?![a-z0-9-])").matcher(error).find();
    }

    static String pom(List<FidelityCase> cases, Function<FidelityCase, String> image, String tag, boolean noCache) {
        StringBuilder images = new StringBuilder();
        for (FidelityCase c : cases) {
            images.append("            <image>\n");
            images.append("              <image>").append(xml(image.apply(c))).append("</image>\n");
            images.append("              <contextDirectory>").append(xml(c.contextInProject()))
                    .append("</contextDirectory>\n");
            if (c.dockerfileInProject() != null) {
                // Relative to the project directory, as -f is to the CLI's working directory.
                images.append("              <dockerfile>").append(xml(c.dockerfileInProject()))
                        .append("</dockerfile>\n");
            }
            if (!c.buildArgs().isEmpty()) {
                images.append("              <buildArgs>\n");
                // <K></K>, not <K/>, for an empty value: what a user writes for --build-arg K=
                c.buildArgs().forEach((k, v) -> images.append("                <").append(k).append(">")
                        .append(xml(v)).append("</").append(k).append(">\n"));
                images.append("              </buildArgs>\n");
            }
            images.append("            </image>\n");
        }
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>dev.portainer.it</groupId>
                  <artifactId>docker-fidelity</artifactId>
                  <version>1.0.0</version>
                  <packaging>pom</packaging>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>dev.portainer</groupId>
                        <artifactId>portainer-maven-plugin</artifactId>
                        <version>${portainer.version}</version>
                        <configuration>
                          <push>false</push>
                          <noCache>%s</noCache>
                          <!-- Small, so that the embedded agent's offers fit many builds at once. -->
                          <buildCpu>0.1</buildCpu>
                          <buildMem>64</buildMem>
                          <tags>
                            <tag>%s</tag>
                          </tags>
                          <images>
                %s          </images>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(noCache, xml(tag), images);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
