package dev.portainer.maven;

/**
 * One line of an interactive terminal that progress is drawn on, each state over the one before, below the lines
 * Maven's log printed. Written to around Maven's log, never at the same time (the listener sees to it).
 */
interface ProgressLine {
    /** Draws the text over what the line shows, leaving the cursor on that line. */
    void redraw(String text);

    /** Erases what the line shows, leaving the cursor at its start, where Maven's log goes on. */
    void clear();
}
