package org.clipwsss.training.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The update rules of torch.optim.SGD and AdamW, step by step, and the schedules. */
class OptimizerTest {
    @Test
    void sgdWithMomentumAndDecay() {
        Optimizer o = Optimizer.sgd(0.9f, 0.1f);
        float[] p = {1f};
        o.step(p, new float[] {0.5f}, 0.1f); // d = 0.5 + 0.1*1 = 0.6 (buffer), p = 1 - 0.06
        assertEquals(0.94f, p[0], 1e-6f);
        o.step(p, new float[] {0.5f}, 0.1f); // buf = 0.9*0.6 + 0.5 + 0.094 = 1.134, p = 0.94 - 0.1134
        assertEquals(0.8266f, p[0], 1e-6f);
        Optimizer plain = Optimizer.sgd(0, 0);
        float[] q = {1f, 2f};
        plain.step(q, new float[] {1f, -1f}, 0.5f);
        assertArrayEquals(new float[] {0.5f, 2.5f}, q);
    }

    @Test
    void adamWFirstStepsAndStateRoundTrip() {
        Optimizer o = Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.01f);
        float[] p = {1f};
        o.step(p, new float[] {0.2f}, 0.1f);
        // decay: 1 * (1 - 0.001) = 0.999; m = 0.02, v = 4e-5; mhat = 0.2, vhat = 0.04 -> step 0.1 * 0.2 / 0.2 = 0.1
        assertEquals(0.899f, p[0], 1e-6f);
        Optimizer copy = Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.01f);
        copy.load(o.state());
        float[] a = p.clone();
        float[] b = p.clone();
        o.step(a, new float[] {-0.3f}, 0.1f);
        copy.step(b, new float[] {-0.3f}, 0.1f);
        assertArrayEquals(a, b, "a restored optimizer continues exactly");
    }

    @Test
    void schedules() {
        assertEquals(1f, Schedule.parse("constant", 1f, 10).at(7));
        assertEquals(1f, Schedule.parse("cosine", 1f, 10).at(0), 1e-6f);
        assertEquals(0.5f, Schedule.parse("cosine", 1f, 10).at(5), 1e-6f);
        assertEquals((float) Math.pow(0.5, 0.9), Schedule.parse("poly", 1f, 10).at(5), 1e-6f);
    }
}
