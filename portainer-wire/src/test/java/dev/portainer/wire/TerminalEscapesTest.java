package dev.portainer.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TerminalEscapesTest {

    @Test
    void stripsDockersStderrColoursAndLeavesOtherTextAlone() {
        assertEquals("err-line", TerminalEscapes.strip("\u001b[91merr-line"));
        assertEquals("one", TerminalEscapes.strip("\u001b[0mone"));
        String plain = "Step 1/2 : FROM busybox [with brackets]";
        assertSame(plain, TerminalEscapes.strip(plain));
    }

    @Test
    void escapesAloneAreNotTextButNothingIsNotEscapesEither() {
        assertTrue(TerminalEscapes.onlyEscapes("\u001b[0m"));
        assertTrue(TerminalEscapes.onlyEscapes("\u001b[0m\u001b[91m"));
        assertFalse(TerminalEscapes.onlyEscapes(""));
        assertFalse(TerminalEscapes.onlyEscapes(" "));
        assertFalse(TerminalEscapes.onlyEscapes("\u001b[0mRemoving intermediate container 1a2b"));
    }
}
