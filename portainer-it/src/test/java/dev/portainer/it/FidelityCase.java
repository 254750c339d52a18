package dev.portainer.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One tree that {@code docker build} and {@code portainer:build} must turn into the same image: the bash script that
 * makes it (run in the case's own directory) and how both are told to build it.
 *
 * @param name              short and unique, [a-z0-9-]; part of the image name and of the case's directory
 * @param script            bash that creates the tree in the working directory (Java cannot create most of them:
 *                          non-UTF-8 names, FIFOs, hard links, symlink mtimes)
 * @param context           the context directory, relative to the case's directory ("" for that directory itself)
 * @param dockerfile        {@code -f} / {@code <dockerfile>}, relative to the case's directory; null when neither is
 *                          given, so that both look the Dockerfile up themselves
 * @param buildArgs         {@code --build-arg K=V} / {@code <buildArgs>}, in order
 * @param aboutNames        the case is about file names, so it is also built with a UTF-8 locale
 * @param sockets           unix sockets to create, relative to the case's directory (bash cannot bind one)
 * @param cliRewritesIgnore the Dockerfile is outside the context and the context's .dockerignore does not exclude
 *                          itself: the CLI appends a random name to that file (see {@link ImageDiff})
 */
record FidelityCase(String name, String script, String context, String dockerfile, Map<String, String> buildArgs,
                    boolean aboutNames, List<String> sockets, boolean cliRewritesIgnore) {
    FidelityCase {
        buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
        sockets = List.copyOf(sockets);
    }

    static Builder named(String name) {
        return new Builder(name);
    }

    /** The context relative to the project, '/'-separated, as both the CLI and the pom take it. */
    String contextInProject() {
        return context.isEmpty() ? "cases/" + name : "cases/" + name + "/" + context;
    }

    /** The Dockerfile relative to the project, or null. */
    String dockerfileInProject() {
        return dockerfile == null ? null : "cases/" + name + "/" + dockerfile;
    }

    /** Fills a {@link FidelityCase}; by default the context is the case's directory, no -f, no build args. */
    static final class Builder {
        private final String name;
        private String script = "";
        private String context = "";
        private String dockerfile;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private boolean aboutNames;
        private final List<String> sockets = new ArrayList<>();
        private boolean cliRewritesIgnore;

        private Builder(String name) {
            if (!name.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("case name " + name);
            }
            this.name = name;
        }

        Builder script(String script) {
            this.script = script;
            return this;
        }

        Builder context(String context) {
            this.context = context;
            return this;
        }

        Builder dockerfile(String dockerfile) {
            this.dockerfile = dockerfile;
            return this;
        }

        Builder buildArg(String key, String value) {
            buildArgs.put(key, value);
            return this;
        }

        Builder aboutNames() {
            this.aboutNames = true;
            return this;
        }

        Builder socket(String path) {
            sockets.add(path);
            return this;
        }

        Builder cliRewritesIgnore() {
            this.cliRewritesIgnore = true;
            return this;
        }

        FidelityCase build() {
            return new FidelityCase(name, script, context, dockerfile, buildArgs, aboutNames, sockets,
                    cliRewritesIgnore);
        }
    }
}
