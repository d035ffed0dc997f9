package org.clipwsss.runtime.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PseudoMasksTest {
    private static final int I = LabelImage.IGNORE;

    /** Two maps over 4x1 pixels, labelled 3 and 7. */
    private static final float[][] CAMS = {
        {0.9f, 0.2f, 0.5f, 0.45f},
        {0.1f, 0.6f, 0.5f, 0.40f},
    };
    private static final int[] CLASSES = {3, 7};

    private static int[] labels(LabelImage mask) {
        int[] out = new int[mask.width() * mask.height()];
        for (int i = 0; i < out.length; i++) {
            out[i] = mask.get(i);
        }
        return out;
    }

    private static int[] mask(BackgroundScore bg, float margin) {
        return labels(PseudoMasks.of(CAMS, 4, 1, CLASSES, bg, margin));
    }

    @Test
    void constantBackgroundIsAThreshold() {
        assertArrayEquals(new int[] {3, 7, 3, 3}, mask(BackgroundScore.constant(0.1f), 0));
        assertArrayEquals(new int[] {3, 7, 0, 0}, mask(BackgroundScore.constant(0.5f), 0), "a tie with the background");
        assertArrayEquals(new int[] {0, 0, 0, 0}, mask(BackgroundScore.constant(0.95f), 0));
    }

    @Test
    void tiesBetweenMapsGoToTheFirst() {
        assertArrayEquals(new int[] {3, 7, 3, 3}, mask(BackgroundScore.constant(0f), 0), "pixel 2: both 0.5");
        int[] swapped = labels(PseudoMasks.of(new float[][] {CAMS[1], CAMS[0]}, 4, 1, new int[] {7, 3},
                BackgroundScore.constant(0f), 0));
        assertArrayEquals(new int[] {3, 7, 7, 3}, swapped);
    }

    @Test
    void powerBackgroundFollowsClipEs() {
        // k = 1: bg = 1 - max = 0.1, 0.4, 0.5, 0.55 -> only pixels 0 and 1 beat it; pixel 2 ties (0.5) -> background
        assertArrayEquals(new int[] {3, 7, 0, 0}, mask(BackgroundScore.power(1f), 0));
        // k = 2: bg = 0.01, 0.16, 0.25, 0.3025 -> every pixel is foreground
        assertArrayEquals(new int[] {3, 7, 3, 3}, mask(BackgroundScore.power(2f), 0));
        assertEquals(0.25f, BackgroundScore.power(2f).score(0.5f), 1e-7);
        assertEquals(0f, BackgroundScore.power(2f).score(1.5f), "1 - max clamped to 0");
        // the exponent 1 skips Math.pow: the same bits as pow(x, 1), clamping included
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 10_000; i++) {
            float cam = (float) (rnd.nextDouble() * 1.4 - 0.2);
            float base = Math.min(1f, Math.max(0f, 1f - cam));
            assertEquals(Float.floatToIntBits((float) Math.pow(base, 1f)), Float.floatToIntBits(BackgroundScore.power(1f).score(cam)));
        }
    }

    @Test
    void ignoreMarginMarksCloseCalls() {
        // scores with bg 0.3: pixel 0 0.9 vs 0.3 (0.6); 1: 0.6 vs 0.3 (0.3); 2: tie 0.5/0.5 (0); 3: 0.45 vs 0.40 (0.05)
        assertArrayEquals(new int[] {3, 7, I, I}, mask(BackgroundScore.constant(0.3f), 0.1f));
        assertArrayEquals(new int[] {3, I, I, I}, mask(BackgroundScore.constant(0.3f), 0.35f));
        // background winning by 0.05 over 0.45 at pixel 3 is also a close call
        assertArrayEquals(new int[] {3, I, I, I}, mask(BackgroundScore.constant(0.5f), 0.11f));
        assertArrayEquals(new int[] {3, 7, 0, 0}, mask(BackgroundScore.constant(0.5f), 0f), "margin 0 is off");
    }

    @Test
    void noMapsGiveBackground() {
        LabelImage m = PseudoMasks.of(new float[0][], 2, 3, new int[0], BackgroundScore.power(1f), 0.2f);
        assertArrayEquals(new int[] {0}, m.values());
        assertEquals(2, m.width());
        assertEquals(3, m.height());
    }

    @Test
    void rejectsInconsistentInput() {
        BackgroundScore bg = BackgroundScore.constant(0.5f);
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.of(CAMS, 4, 1, new int[] {3}, bg, 0));
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.of(CAMS, 2, 1, CLASSES, bg, 0));
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.of(CAMS, 4, 1, new int[] {0, 7}, bg, 0));
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.of(CAMS, 4, 1, new int[] {3, 255}, bg, 0));
    }
}
