package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DrainDecisionTest {

    @Test
    void oldWorkersGoOneForOneAsNewOnesBecomeReady() {
        assertEquals(0, DrainDecision.toDrain(4, 4, 0, false), "nothing ready: keep all");
        assertEquals(1, DrainDecision.toDrain(4, 4, 1, false));
        assertEquals(3, DrainDecision.toDrain(4, 4, 3, false));
        assertEquals(1, DrainDecision.toDrain(2, 4, 3, false), "two already drained: one more");
    }

    @Test
    void aCompleteNewGenerationDrainsEveryOldWorker() {
        assertEquals(4, DrainDecision.toDrain(4, 4, 2, true), "fewer new workers (max-children shrank)");
        assertEquals(3, DrainDecision.toDrain(3, 3, 0, true), "ondemand: no new worker at rest");
    }

    @Test
    void moreReadyThanOldDrainsAll() {
        assertEquals(2, DrainDecision.toDrain(2, 2, 5, false));
    }
}
