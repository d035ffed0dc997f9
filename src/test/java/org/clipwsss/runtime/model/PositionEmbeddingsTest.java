package org.clipwsss.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PositionEmbeddingsTest {
    @Test
    void sameGridIsTheIdentity() {
        float[] t = new float[(1 + 9) * 2];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) Math.sin(i);
        }
        assertArrayEquals(t, PositionEmbeddings.resample(t, 3, 3, 2), 1e-6f);
    }

    @Test
    void classRowIsKeptAndConstantsStayConstant() {
        int from = 4;
        int to = 7;
        float[] t = new float[(1 + from * from) * 3];
        java.util.Arrays.fill(t, 0.25f);
        t[0] = 9;
        float[] r = PositionEmbeddings.resample(t, from, to, 3);
        assertEquals((1 + to * to) * 3, r.length);
        assertEquals(9f, r[0]);
        for (int i = 3; i < r.length; i++) {
            assertEquals(0.25f, r[i], 1e-6f);
        }
    }

    @Test
    void matchesPyTorchBicubicOnARamp() {
        // expected values from a separate Python transcription of PyTorch's upsample_bicubic2d (A = -0.75,
        // src = (dst + 0.5) * in/out - 0.5, neighbours clamped) for a 2x2 ramp [[0, 1], [2, 3]] -> 3x3;
        // the centre is the mean 1.5 and the overshoot at the corners is bicubic's
        float[] t = {0, 0, 1, 2, 3};
        float[] r = PositionEmbeddings.resample(t, 2, 3, 1);
        float[] expected = {-0.26041667f, 0.32638889f, 0.91319444f, 0.91319444f, 1.5f, 2.08680556f, 2.08680556f,
            2.67361111f, 3.26041667f};
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(r, 1, 10), 1e-5f);
    }
}
