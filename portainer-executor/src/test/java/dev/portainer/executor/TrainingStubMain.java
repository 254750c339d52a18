package dev.portainer.executor;

/**
 * Stands in for the executor jar in {@link AgentClassDataTest}: {@code --warm-up} loads a class, sleeps for as
 * many milliseconds as a file {@code sleep-ms} in the working directory says (the sandbox), and exits 0;
 * {@code --hold-lock <file>} holds that file's lock, as another executor making an archive would, until killed.
 */
public final class TrainingStubMain {
    private TrainingStubMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--hold-lock")) {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(java.nio.file.Path.of(
                    args[1]), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                channel.lock();
                System.out.println("held");
                System.out.flush();
                Thread.sleep(60_000);
            }
            return;
        }
        if (args.length == 1 && args[0].equals("--warm-up")) {
            new java.util.concurrent.ConcurrentSkipListMap<String, String>().put("warm", "up");
            java.nio.file.Path sleep = java.nio.file.Path.of("sleep-ms");
            if (java.nio.file.Files.exists(sleep)) {
                try {
                    Thread.sleep(Long.parseLong(java.nio.file.Files.readString(sleep).strip()));
                } catch (java.io.IOException e) {
                    System.exit(4);
                }
            }
            System.exit(0);
        }
        System.exit(3);
    }
}
