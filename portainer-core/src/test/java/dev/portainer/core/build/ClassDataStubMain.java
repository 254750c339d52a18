package dev.portainer.core.build;

/**
 * Stands in for the executor jar in {@link ExecutorClassDataTest}: {@code --warm-up} loads a class and exits 0;
 * without arguments it prints "ran", then the archive the command asks it to make, if any.
 */
public final class ClassDataStubMain {
    private ClassDataStubMain() {
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
