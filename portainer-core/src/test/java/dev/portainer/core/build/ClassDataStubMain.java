package dev.portainer.core.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Stands in for the executor jar in {@link ExecutorClassDataTest}: {@code --warm-up} loads a class and exits 0;
 * without arguments it prints "ran", then the archive the command asks it to make, if any.
 */
public final class ClassDataStubMain {
    private ClassDataStubMain() {
    }

    /**
     * Writes a runnable jar of this class to {@code jar}. Its entry has a fixed time, so every copy has the same
     * bytes and size, as the content-addressed executor jar.
     */
    static Path writeJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ClassDataStubMain.class.getName());
        String entry = ClassDataStubMain.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream in = ClassDataStubMain.class.getResourceAsStream("/" + entry)) {
            JarEntry jarEntry = new JarEntry(entry);
            jarEntry.setTime(0);
            out.putNextEntry(jarEntry);
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--warm-up")) {
            new java.util.concurrent.ConcurrentSkipListMap<String, String>().put("warm", "up");
            System.exit(0);
        }
        System.out.println("ran");
        String asked = System.getenv("PORTAINER_CLASS_DATA_ARCHIVE");
        if (asked != null) {
            System.out.println("make " + asked);
        }
    }
}
