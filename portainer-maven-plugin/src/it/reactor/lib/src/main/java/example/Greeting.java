package example;

/** A library module: compiled and packaged, no image. */
public final class Greeting {
    private Greeting() {
    }

    public static String text() {
        return "hello from the reactor";
    }
}
