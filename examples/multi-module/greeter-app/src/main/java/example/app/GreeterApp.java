package example.app;

import example.greeting.Greeting;

/** The application in the image: greets whoever the first argument names. */
public final class GreeterApp {
    private GreeterApp() {
    }

    public static void main(String[] args) {
        System.out.println(Greeting.of(args.length > 0 ? args[0] : "Mesos"));
    }
}
