package dev.portainer.maven;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.function.Supplier;
import org.apache.maven.execution.MavenSession;

/**
 * The {@link ProgressLine} of the terminal Maven writes to, drawn over as fabric8's docker-maven-plugin and Jib do:
 * a carriage return and ANSI's erase line ({@code ESC[2K}) before each state. Used only on an interactive terminal
 * (see {@link #of}); anywhere else (batch mode, output to a file or a pipe, CI) progress stays plain log lines.
 */
final class TerminalProgressLine implements ProgressLine {
    static final String ERASE_LINE = "\r\u001b[2K";

    /** Maven's console as it is now: Maven puts its own stream (jansi's) in System.out, and may change it. */
    private final Supplier<PrintStream> out;
    /** How many characters the line shows: spaces cover them too, for a console that drops escape sequences. */
    private int shown;

    TerminalProgressLine(Supplier<PrintStream> out) {
        this.out = out;
    }

    /**
     * The progress line of this session's terminal, or null when progress must stay plain lines: Maven runs in batch
     * mode ({@code -B}, non-interactive), its output is not a terminal, Maven writes its log to a file ({@code -l}: the
     * process still has a terminal, but System.out is the file), or modules build in parallel ({@code -T}), whose
     * lines would land in the middle of the one drawn over.
     */
    static ProgressLine of(MavenSession session) {
        boolean interactive = session.getRequest() != null && session.getRequest().isInteractiveMode();
        if (!interactive || System.console() == null || session.isParallel() || !isConsoleStream(System.out)) {
            return null;
        }
        return new TerminalProgressLine(() -> System.out);
    }

    /**
     * Whether Maven's System.out is its console (jansi's stream, which Maven 3.8 and 3.9 install and which knows the
     * terminal's width) rather than the plain stream on the file that {@code -l} puts in its place.
     */
    static boolean isConsoleStream(PrintStream stream) {
        try {
            stream.getClass().getMethod("getTerminalWidth");
            return true;
        } catch (NoSuchMethodException | SecurityException e) {
            return false;
        }
    }

    @Override
    public void redraw(String text) {
        PrintStream console = out.get();
        String fitted = fit(text, width(console));
        console.print(ERASE_LINE + fitted + " ".repeat(Math.max(0, shown - fitted.length())));
        console.flush();
        shown = Math.max(shown, fitted.length());
    }

    @Override
    public void clear() {
        PrintStream console = out.get();
        console.print(ERASE_LINE + " ".repeat(shown) + "\r");
        console.flush();
        shown = 0;
    }

    /** A line longer than the terminal would wrap, and only its last row would be drawn over: cut it short. */
    static String fit(String text, int width) {
        return width > 1 && text.length() > width - 1 ? text.substring(0, width - 1) : text;
    }

    /** The terminal's width, when Maven's console (jansi's stream) can tell; 0 when unknown. */
    private static int width(PrintStream console) {
        try {
            Method method = console.getClass().getMethod("getTerminalWidth");
            return method.invoke(console) instanceof Integer width ? width : 0;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return 0; // a plain PrintStream, or a jansi without it: draw the whole line
        }
    }
}
