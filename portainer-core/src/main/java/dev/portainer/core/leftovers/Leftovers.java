package dev.portainer.core.leftovers;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run writes to disk and removes itself when it ends (the embedded Mesos's work directory, the packed build
 * contexts) is named {@code <kind>pid<pid>-<anything>} after the JVM that made it. A later run can then remove what a
 * run killed before its clean-up (kill -9, the OOM killer, a cancelled CI job) left behind, and nothing that a run
 * still going uses: another Maven on this machine, or this JVM's own other builds ({@code mvn -T}).
 *
 * <p>The pid is in the name rather than in a file beside it, so that an entry is never seen without its owner.
 * A pid may be reused by an unrelated process: the dead run's leftover then looks alive and stays until a later
 * run; the rule errs on the side of keeping. Processes of another pid namespace (a container sharing the directory)
 * are not seen, so such directories should not be shared between namespaces.
 */
public final class Leftovers {
    private static final Pattern OWNED = Pattern.compile("pid(\\d{1,10})-.+");

    private final ProcessLiveness liveness;
    private final long self;

    /** @param self the pid of this process, whose entries are never removed */
    public Leftovers(ProcessLiveness liveness, long self) {
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.self = self;
    }

    /** Names entries for this JVM and judges others' by the operating system's process table. */
    public static Leftovers ofThisProcess() {
        return new Leftovers(ProcessLiveness.system(), ProcessHandle.current().pid());
    }

    /** The start of the name of an entry this process makes: {@code kind}, then {@code pid<pid>-}. */
    public String prefix(String kind) {
        return kind + "pid" + self + "-";
    }

    /**
     * Removes the entries of {@code directory} named {@code <kind>pid<pid>-…} whose process no longer runs, if
     * {@code owner} owns them: files, or whole directory trees (symbolic links are removed, never followed). Best
     * effort: what cannot be removed (gone meanwhile, another user's file in the tree) is left, and nothing throws.
     *
     * @return the entries removed
     */
    public List<Path> removeDead(Path directory, String kind, UserPrincipal owner) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, kind + "pid*")) {
            for (Path entry : entries) {
                if (isDeadRunsOwnedBy(entry, kind, owner) && deleteTree(entry)) {
                    removed.add(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The directory is gone or unreadable: nothing to clean there.
        }
        return removed;
    }

    private boolean isDeadRunsOwnedBy(Path entry, String kind, UserPrincipal owner) {
        Matcher m = OWNED.matcher(entry.getFileName().toString().substring(kind.length()));
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        try {
            if (pid == self || liveness.isRunning(pid)) {
                return false;
            }
            // Another user's entry is theirs to clean; a link named like ours is not what we made.
            return !Files.isSymbolicLink(entry) && owner.equals(Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the tree is gone afterwards. */
    private static boolean deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                    deleteQuietly(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // checked below
        }
        return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Another sweep took it, or it is not ours to delete: the caller sees the tree is still there.
        }
    }
}
