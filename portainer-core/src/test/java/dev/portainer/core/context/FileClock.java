package dev.portainer.core.context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;

/**
 * The file system's clock, for tests of the packer's fingerprint: a file changed in the same tick as a pack starts is
 * racy (not reused), so a test that wants a reusable pack waits until the clock has moved past its last change.
 */
public final class FileClock {
    private FileClock() {
    }

    /** Returns once a file created beside {@code tree} gets a later change time than anything in it. */
    public static void passLastChange(Path tree) throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.toList()) {
                FileTime changed = (FileTime) Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
                newest = changed.compareTo(newest) > 0 ? changed : newest;
            }
        }
        Path probe = tree.resolveSibling(tree.getFileName() + ".clock-probe");
        try {
            while (true) {
                Files.deleteIfExists(probe);
                Files.createFile(probe);
                if (((FileTime) Files.getAttribute(probe, "unix:ctime")).compareTo(newest) > 0) {
                    return;
                }
                Thread.onSpinWait();
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
