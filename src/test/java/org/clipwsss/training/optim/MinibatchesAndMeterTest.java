package org.clipwsss.training.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;

class MinibatchesAndMeterTest {
    @Test
    void everyExampleOncePerEpochFixedSizeAndAPureFunctionOfTheStep() {
        Minibatches b = new Minibatches(10, 4, 7);
        assertEquals(3, b.stepsPerEpoch());
        for (int epoch = 0; epoch < 3; epoch++) {
            Set<Integer> seen = new HashSet<>();
            for (int s = 0; s < 3; s++) {
                int[] idx = b.indices(epoch * 3 + s);
                assertEquals(4, idx.length);
                Arrays.stream(idx).forEach(seen::add);
            }
            assertEquals(10, seen.size(), "epoch " + epoch + " covers every example");
        }
        assertArrayEquals(b.indices(5), new Minibatches(10, 4, 7).indices(5), "same seed and step, same batch");
        assertNotEquals(Arrays.toString(b.indices(0)), Arrays.toString(b.indices(3)), "epochs are reshuffled");
        assertNotEquals(Arrays.toString(b.indices(0)), Arrays.toString(new Minibatches(10, 4, 8).indices(0)), "the seed matters");
        assertEquals(3, new Minibatches(3, 50, 0).indices(0).length, "batches are at most the data set");
        assertThrows(ClipWsssException.class, () -> new Minibatches(0, 4, 0));
    }

    @Test
    void meterReportsRateAndTimeLeft() {
        long[] now = {0};
        StepMeter m = new StepMeter(100, () -> now[0]);
        assertEquals("step 1/100 loss 2.000000", m.step(0, 2.0));
        now[0] = 2_000_000_000L;   // 4 more steps in 2 s: 2 steps/s, 95 left
        assertEquals("step 5/100 loss 1.500000, 2.00 steps/s, ETA 48s", m.step(4, 1.5));
        now[0] = 202_000_000_000L;
        assertEquals("step 6/100 loss 1.000000, 40.40 s/step, ETA 1h03m", m.step(5, 1.0));
    }
}
