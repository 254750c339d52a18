package dev.portainer.maven;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The self-contained executor jar the plugin carries inside itself, so no one has to upload it by hand. */
final class ExecutorJar {
    static final String RESOURCE = "/META-INF/portainer/portainer-executor.jar";

    private ExecutorJar() {
    }

    /** Copies the embedded jar into the work directory (once per content) and returns its path. */
    static Path extractTo(Path workDirectory) throws IOException {
        Files.createDirectories(workDirectory);
        Path jar = workDirectory.resolve("portainer-executor.jar");
        try (InputStream in = ExecutorJar.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the plugin jar lacks " + RESOURCE + "; it was built without the executor "
                        + "(rebuild portainer-maven-plugin with its portainer-executor dependency)");
            }
            Path partial = Files.createTempFile(workDirectory, "portainer-executor", ".partial");
            try {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return jar;
    }
}
