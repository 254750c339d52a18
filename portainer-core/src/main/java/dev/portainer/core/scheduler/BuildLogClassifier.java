package dev.portainer.core.scheduler;

import dev.portainer.wire.TerminalEscapes;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells Docker's own warnings from the rest of one task's build log, and what of each line to show. Lines come as
 * Docker sent them, in order; Docker's formats decide (moby 20.10's classic builder):
 * <ul>
 *   <li>a line that starts {@code [WARNING]} or {@code [Warning]} (unused build args, on stdout; the parser's
 *       warnings, on stderr), or {@code " ---> [Warning] "} (what the daemon said creating a step's container);</li>
 *   <li>every line of a stderr block that opens with such a line: Docker wraps each write to the build's stderr in
 *       {@code ESC[91m … ESC[0m}, and the parser's "Empty continuation line found in:" goes on with the indented
 *       line it is about;</li>
 *   <li>a line that starts {@code WARNING: } in a FROM step, before its {@code " ---> <id>"}: what the pull of
 *       the base image said (a platform that does not match).</li>
 * </ul>
 * Nothing else is a warning: not a RUN step's stderr, which apt, curl and the like fill with progress. The text
 * shown has no escape sequences; a blank line, or one that was only escapes, shows as a blank line, as it does in
 * {@code docker build}'s own output (the executor drops Docker's {@code ESC[0m} after the log's last newline, which
 * is no line). Not thread-safe: used by the build's event loop only.
 */
final class BuildLogClassifier {
    /** A build log line as shown: its text without escape sequences, and whether it is Docker's warning. */
    record Shown(String text, boolean warning) {
    }

    private static final Pattern FROM_STEP = Pattern.compile("Step \\d+/\\d+ : (?i:from)\\s.*");
    private static final String STEP_RESULT = " ---> ";
    private static final String RED = "91";

    /** Inside a stderr block ({@code ESC[91m} up to {@code ESC[0m}) that opened with a warning. */
    private boolean warningBlock;
    /** Between a FROM step's line and its {@code " ---> <id>"}, where the pull of the base image reports. */
    private boolean fromStep;

    /** The next line of the log. */
    Shown classify(String line) {
        String text;
        boolean inWarningBlock;
        if (line.indexOf(TerminalEscapes.ESC) < 0) {
            text = line;
            inWarningBlock = warningBlock;
        } else {
            StringBuilder visible = new StringBuilder(line.length());
            inWarningBlock = false;
            Matcher escape = TerminalEscapes.SEQUENCE.matcher(line);
            int at = 0;
            while (escape.find()) {
                inWarningBlock |= warningBlock && escape.start() > at;
                visible.append(line, at, escape.start());
                at = escape.end();
                sgr(escape.group(), line.substring(at));
            }
            inWarningBlock |= warningBlock && at < line.length();
            visible.append(line, at, line.length());
            text = visible.toString();
            // A blank line belongs to the block it is in when it ends.
            inWarningBlock |= warningBlock && text.isEmpty();
        }
        boolean warning = inWarningBlock || startsWarning(text) || fromStep && text.startsWith("WARNING: ");
        // The prefix first: a RUN step may print a million lines, and a matcher for each costs more than the rest.
        if (text.startsWith("Step ")) {
            fromStep = FROM_STEP.matcher(text).matches();
        } else if (text.startsWith(STEP_RESULT)) {
            fromStep = false;
        }
        return new Shown(text, warning);
    }

    /**
     * Lines before this one were lost: whatever block they opened or closed is unknown, so assume none is open
     * (a line taken for a warning would count in CI, a warning taken for a line is still shown).
     */
    void gap() {
        warningBlock = false;
        fromStep = false;
    }

    /** A line shown out of place (recovered late): only its own text can tell. */
    static Shown alone(String line) {
        String text = TerminalEscapes.strip(line);
        return new Shown(text, startsWarning(text));
    }

    /** Follows Docker's stderr blocks: {@code ESC[91m} opens one, {@code ESC[0m} (or {@code ESC[m}) closes it. */
    private void sgr(String sequence, String rest) {
        if (sequence.length() < 3 || sequence.charAt(1) != '[' || !sequence.endsWith("m")) {
            return; // not a colour: cursor moves and the like change no block
        }
        String[] parameters = sequence.substring(2, sequence.length() - 1).split(";", -1);
        for (int i = 0; i < parameters.length; i++) {
            String parameter = parameters[i];
            if (parameter.isEmpty() || parameter.equals("0")) {
                warningBlock = false;
            } else if (parameter.equals(RED)) {
                warningBlock = startsWarning(TerminalEscapes.strip(rest));
            } else if (parameter.equals("38") || parameter.equals("48")) {
                // An extended colour's own numbers (38;5;91 is a colour of 256) are no attributes of their own.
                i += i + 1 < parameters.length && parameters[i + 1].equals("5") ? 2 : 4;
            }
        }
    }

    private static boolean startsWarning(String text) {
        return text.regionMatches(true, 0, "[WARNING]", 0, 9) || text.startsWith(" ---> [Warning] ");
    }
}
