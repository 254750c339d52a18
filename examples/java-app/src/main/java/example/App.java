package example;

/** The example application: prints where it runs. */
public final class App {
    private App() {
    }

    public static void main(String[] args) {
        System.out.println("java-app " + App.class.getPackage().getImplementationVersion()
                + " running on Java " + Runtime.version().feature());
    }
}
