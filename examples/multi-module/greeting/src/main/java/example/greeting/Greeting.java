package example.greeting;

/** A library the application depends on; it has no Dockerfile, so portainer:build skips it. */
public final class Greeting {
    private Greeting() {
    }

    public static String of(String name) {
        return "Hello, " + name + "! (from the greeting library)";
    }
}
