package org.clipwsss.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.clipwsss.runtime.mask.LabelImage;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    static LabelImage row(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return new LabelImage(values.length, 1, b);
    }

    /**
     * 4 classes. gt 255 is skipped (its prediction 2 too); pred 255 and 7 are unassigned. Class 3 appears nowhere.
     * <pre>
     *            pred 0  1  2  3  none
     *   gt 0        1  1  .  .   .
     *   gt 1        .  2  .  .   1 (7)
     *   gt 2        1  .  .  .   1 (255)
     * </pre>
     */
    @Test
    void handComputedScores() {
        ConfusionMatrix m = new ConfusionMatrix(4);
        m.add(row(0, 0, 1, 1, 2, 2, 255, 1), row(0, 1, 1, 1, 0, 255, 2, 7));
        assertEquals(7, m.pixels());
        assertEquals(2, m.unassigned());
        assertEquals(1, m.unassigned(1));
        assertEquals(1, m.count(2, 0));

        assertEquals(1, m.truePositives(0));
        assertEquals(1, m.falsePositives(0));
        assertEquals(1, m.falseNegatives(0));
        assertEquals(1 / 3.0, m.iou(0), 1e-12);
        assertEquals(0.5, m.precision(0), 1e-12);
        assertEquals(0.5, m.recall(0), 1e-12);

        assertEquals(2, m.truePositives(1));
        assertEquals(1, m.falsePositives(1));
        assertEquals(1, m.falseNegatives(1), "the unassigned pixel is a miss");
        assertEquals(0.5, m.iou(1), 1e-12);
        assertEquals(2 / 3.0, m.precision(1), 1e-12);
        assertEquals(2 / 3.0, m.recall(1), 1e-12);

        assertEquals(0, m.falsePositives(2), "a prediction on an ignored pixel is not counted");
        assertEquals(2, m.falseNegatives(2));
        assertEquals(0.0, m.iou(2));
        assertTrue(Double.isNaN(m.precision(2)), "never predicted");
        assertEquals(0.0, m.recall(2));

        assertTrue(Double.isNaN(m.iou(3)), "absent class");
        assertEquals((1 / 3.0 + 0.5 + 0) / 3, m.meanIoU(), 1e-12, "mean over the 3 classes present");
        assertEquals(3 / 7.0, m.pixelAccuracy(), 1e-12);

        m.add(row(3, 255), row(3, 3));
        assertEquals(1.0, m.iou(3));
        assertEquals((1 / 3.0 + 0.5 + 0 + 1) / 4, m.meanIoU(), 1e-12, "images accumulate");
    }

    @Test
    void emptyAndInvalid() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        assertTrue(Double.isNaN(m.meanIoU()));
        assertTrue(Double.isNaN(m.pixelAccuracy()));
        m.add(row(255, 255), row(0, 1));
        assertEquals(0, m.pixels());
        assertThrows(IllegalArgumentException.class, () -> m.add(row(0, 2), row(0, 0)), "gt value 2 with 2 classes");
        assertThrows(IllegalArgumentException.class, () -> m.add(row(0, 1), row(0)), "sizes differ");
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(256));
    }
}
