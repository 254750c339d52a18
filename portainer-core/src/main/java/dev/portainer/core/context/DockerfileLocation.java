package dev.portainer.core.context;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a build's Dockerfile is, found as the Docker CLI finds it ({@code getDockerfileRelPath}): with none
 * configured, {@code Dockerfile} in the context or else a lower-case {@code dockerfile}; symbolic links resolved, in
 * the Dockerfile's path and in the context's, so that the Dockerfile Docker reads is the link's target; a Dockerfile
 * outside the context is sent along with it, as {@code docker build -f ../Dockerfile .} does.
 *
 * @param context    the context directory, symbolic links resolved
 * @param file       the Dockerfile, symbolic links resolved
 * @param inContext  the Dockerfile's '/'-separated path inside the context as a byte string ({@link GoString}), or
 *                   null when it lies outside the context
 * @param configured what was configured, for messages (null: none)
 * @param shadowed   a different file that the configured relative path names in the project directory, which was
 *                   not taken because the context has one of that name (the context wins); null when there is none
 */
public record DockerfileLocation(Path context, Path file, String inContext, String configured, Path shadowed) {
    /** The Dockerfile's name when none is configured. */
    public static final String DEFAULT_NAME = "Dockerfile";

    public DockerfileLocation {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(file, "file");
    }

    /** Whether the Dockerfile lies outside the context (it is then added to what is sent, under a random name). */
    public boolean outsideContext() {
        return inContext == null;
    }

    /** How messages name it: its path in the context, or its file name when it lies outside. */
    public String displayName() {
        return inContext == null ? file.getFileName().toString() : GoString.runes(inContext);
    }

    /**
     * Finds the Dockerfile.
     *
     * @param contextDirectory the build context
     * @param projectDirectory where a relative {@code configured} path is looked for when the context has no such
     *                         file (the CLI resolves {@code -f} from its working directory; a Maven user's is the
     *                         project's); may be null
     * @param configured       the configured Dockerfile: null or blank for the default, an absolute path, or a path
     *                         relative to the context (tried first) or to the project directory
     * @throws ContextException when the context or the Dockerfile does not exist or is not what it must be; the
     *                          message says which paths were tried
     */
    public static DockerfileLocation find(Path contextDirectory, Path projectDirectory, String configured)
            throws ContextException {
        Path context = realContext(contextDirectory);
        String given = configured == null || configured.isBlank() ? null : configured.trim();
        Path candidate;
        Path shadowed = null;
        if (given == null) {
            candidate = context.resolve(DEFAULT_NAME);
            Path lower = context.resolve("dockerfile");
            // "Just to be nice", as the CLI says: a lower-case dockerfile when there is no Dockerfile.
            if (!exists(candidate) && exists(lower)) {
                candidate = lower;
            }
        } else {
            Path path = Path.of(given);
            if (path.isAbsolute()) {
                candidate = path;
            } else {
                candidate = context.resolve(path);
                Path fromProject = projectDirectory == null ? null : projectDirectory.toAbsolutePath().resolve(path);
                if (fromProject != null && exists(fromProject)) {
                    if (!exists(candidate)) {
                        candidate = fromProject;
                    } else if (!sameFile(candidate, fromProject)) {
                        shadowed = fromProject;
                    }
                }
            }
        }
        Path file;
        try {
            file = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ContextException(notFound(context, projectDirectory, given, candidate), e);
        } catch (IOException e) {
            throw new ContextException("Cannot read the Dockerfile " + candidate + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(file)) {
            throw new ContextException(Message.of("The Dockerfile ", file, " is not a regular file: set ",
                    Setting.DOCKERFILE.named(), " to the Dockerfile's path"));
        }
        String inContext = null;
        if (file.startsWith(context)) {
            inContext = relativeBytes(context, file);
        }
        return new DockerfileLocation(context, file, inContext, given, shadowed);
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path realContext(Path contextDirectory) throws ContextException {
        Path absolute = contextDirectory.toAbsolutePath().normalize();
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ContextException(Message.of("Build context directory ", absolute, " does not exist: create it"
                    + " or set ", Setting.CONTEXT_DIRECTORY.named(), " to the directory to send to Docker"), e);
        } catch (IOException e) {
            throw new ContextException("Cannot read the build context directory " + absolute + ": " + e.getMessage(),
                    e);
        }
        if (!Files.isDirectory(real)) {
            throw new ContextException(Message.of("Build context ", absolute, " is not a directory: set ",
                    Setting.CONTEXT_DIRECTORY.named(), " to the directory to send to Docker"));
        }
        return real;
    }

    private static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static Message notFound(Path context, Path project, String given, Path candidate) {
        Setting.Name dockerfile = Setting.DOCKERFILE.named();
        if (given == null) {
            return Message.of("No Dockerfile in the build context ", context, " (neither Dockerfile nor dockerfile):"
                    + " create one, or set ", dockerfile, " to its path");
        }
        if (exists(candidate)) {
            return Message.of("The Dockerfile ", candidate, " is a symbolic link to a file that does not exist: fix"
                    + " the link, or set ", dockerfile, " to the Dockerfile's path");
        }
        if (Path.of(given).isAbsolute()) {
            return Message.of("The Dockerfile ", given, " does not exist: set ", dockerfile, " to the Dockerfile's"
                    + " path");
        }
        return Message.of("The Dockerfile ", given, " does not exist ", project == null
                ? "in the build context " + context
                : "in the build context " + context + " nor in the project directory " + project.toAbsolutePath(),
                ": set ", dockerfile, " to its path, relative to the context or to the project directory");
    }

    // The path from the context to the file, '/'-separated, each name as the file system's bytes.
    private static String relativeBytes(Path context, Path file) {
        StringBuilder out = new StringBuilder();
        Path at = context;
        for (Path name : context.relativize(file)) {
            at = at.resolve(name);
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(RawNames.name(at));
        }
        return out.toString();
    }
}
