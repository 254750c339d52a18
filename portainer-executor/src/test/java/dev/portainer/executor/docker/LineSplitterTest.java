package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add);

    @Test
    void joinsFragmentsSplitsMultiLineItemsAndDropsEmptyLines() {
        splitter.accept("Step 1/2 : FROM portainer/busybox\n");
        splitter.accept(" ---> 68b135fc0ef4\n\n");
        splitter.accept("first half ");
        splitter.accept("second half\r\nnext");
        splitter.flush();
        assertEquals(List.of("Step 1/2 : FROM portainer/busybox", " ---> 68b135fc0ef4", "first half second half", "next"),
                lines);
    }
}
