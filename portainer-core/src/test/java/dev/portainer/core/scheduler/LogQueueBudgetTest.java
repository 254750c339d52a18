package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogQueueBudgetTest {
    private final LogQueueBudget budget = new LogQueueBudget(1000);

    @Test
    void admitsFramesUpToTheBudget() {
        assertTrue(budget.admit(600));
        assertTrue(budget.admit(400));
        assertFalse(budget.admit(1), "full");
    }

    @Test
    void aFrameLargerThanWhatIsLeftIsDroppedThoughASmallerOneWouldFit() {
        assertTrue(budget.admit(700));
        assertFalse(budget.admit(400));
    }

    @Test
    void onceFullItAdmitsNothingUntilDrainedToHalf() {
        assertTrue(budget.admit(1000));
        assertFalse(budget.admit(10));

        budget.release(400); // 600 queued: room for 10 bytes, but not yet half empty
        assertFalse(budget.admit(10));
        budget.release(100); // 500 queued: half
        assertTrue(budget.admit(10));
        assertTrue(budget.admit(490), "admitting again up to the whole budget");
        assertFalse(budget.admit(1));
    }

    @Test
    void releasedFramesMakeRoomAgain() {
        assertTrue(budget.admit(800));
        budget.release(800);
        assertTrue(budget.admit(1000));
    }
}
