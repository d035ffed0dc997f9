package org.clipwsss.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.clipwsss.runtime.image.PilResize;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.image.ResampleFilter;
import org.junit.jupiter.api.Test;

/** Every row once, whatever the size; a parallel resize gives the bytes of the single-threaded one. */
class ParallelTest {
    @Test
    void everyRowIsDoneExactlyOnce() {
        for (int n : new int[] {0, 1, 2, 3, 7, 100, 1001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Parallel.rows(n, 1_000_000, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            int[] expected = new int[n];
            java.util.Arrays.fill(expected, 1);
            int[] got = new int[n];
            for (int i = 0; i < n; i++) {
                got[i] = seen.get(i);
            }
            assertArrayEquals(expected, got, "n = " + n);
        }
    }

    @Test
    void aParallelResizeEqualsTheSingleThreadedOne() {
        byte[] px = new byte[3000 * 2000 * 3]; // large enough to be cut into blocks (Parallel.MIN_WORK)
        new SplittableRandom(4).nextBytes(px);
        Raster8 img = new Raster8(3000, 2000, 3, px);
        byte[] parallel = PilResize.resize(img, 613, 901, ResampleFilter.BICUBIC).data();
        System.setProperty("clipwsss.javaThreads", "1");
        try {
            assertArrayEquals(PilResize.resize(img, 613, 901, ResampleFilter.BICUBIC).data(), parallel);
        } finally {
            System.clearProperty("clipwsss.javaThreads");
        }
    }
}
