package org.clipwsss.runtime.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.clipwsss.runtime.image.Raster8;
import org.junit.jupiter.api.Test;

class FloatMapsAndWindowsTest {
    @Test
    void bilinearMatchesPyTorchAlignCornersFalse() {
        // F.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        float[] expected = {
            0f, 0.25f, 0.75f, 1f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2f, 2.25f, 2.75f, 3f};
        assertArrayEquals(expected, FloatMaps.resizeBilinear(new float[] {0, 1, 2, 3}, 2, 2, 4, 4), 1e-6f);
        // downsampling 4 -> 2 samples at 0.5 and 2.5: the means of neighbours
        float[] down = FloatMaps.resizeBilinear(new float[] {0, 1, 2, 3}, 4, 1, 2, 1);
        assertArrayEquals(new float[] {0.5f, 2.5f}, down, 1e-6f);
    }

    @Test
    void bilinearGivesTheSameBitsAsThePerPixelFormula() {
        java.util.Random rnd = new java.util.Random(3);
        int[][] sizes = {{16, 12, 500, 375}, {32, 24, 375, 500}, {7, 5, 7, 9}, {500, 375, 31, 17}, {1, 1, 4, 3}, {3, 1, 1, 5}};
        for (int[] s : sizes) {
            float[] src = new float[s[0] * s[1]];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rnd.nextGaussian();
            }
            assertArrayEquals(perPixel(src, s[0], s[1], s[2], s[3]), FloatMaps.resizeBilinear(src, s[0], s[1], s[2], s[3]),
                    java.util.Arrays.toString(s));
        }
    }

    /** The resize written per output pixel: PyTorch's source coordinates, x then y. */
    private static float[] perPixel(float[] src, int w, int h, int nw, int nh) {
        float[] out = new float[nw * nh];
        for (int y = 0; y < nh; y++) {
            double sy = Math.max((y + 0.5) * ((double) h / nh) - 0.5, 0);
            int ya = Math.min((int) sy, h - 1);
            int yb = Math.min(ya + 1, h - 1);
            float wy = (float) (sy - ya);
            for (int x = 0; x < nw; x++) {
                double sx = Math.max((x + 0.5) * ((double) w / nw) - 0.5, 0);
                int xa = Math.min((int) sx, w - 1);
                int xb = Math.min(xa + 1, w - 1);
                float wx = (float) (sx - xa);
                float top = src[ya * w + xa] + (src[ya * w + xb] - src[ya * w + xa]) * wx;
                float bottom = src[yb * w + xa] + (src[yb * w + xb] - src[yb * w + xa]) * wx;
                out[y * nw + x] = top + (bottom - top) * wy;
            }
        }
        return out;
    }

    @Test
    void cropAndNormalise() {
        float[] m = {1, 2, 3, 4};
        assertArrayEquals(new float[] {0, 0, 0, 1}, FloatMaps.crop(m, 2, 2, -1, -1, 2, 2));
        assertArrayEquals(new float[] {0, 1f / 3, 2f / 3, 1}, FloatMaps.normalizeMinMax(m.clone()), 1e-6f);
        assertArrayEquals(new float[] {0, 0}, FloatMaps.normalizeMinMax(new float[] {5, 5}));
        assertArrayEquals(new float[] {0, 0.5f, 1}, FloatMaps.clamp01(new float[] {Float.NaN, 0.5f, 7}));
    }

    @Test
    void windowsCoverAnyAspect() {
        WindowLayout square = WindowLayout.plan(500, 500, 224, 1.0 / 3, 4);
        assertEquals(1, square.windows());
        WindowLayout wide = WindowLayout.plan(500, 375, 224, 1.0 / 3, 4);
        assertEquals(2, wide.windows(), "299 px wide needs two 224 windows");
        WindowLayout strip = WindowLayout.plan(1200, 150, 224, 1.0 / 3, 4);
        // 150 px short side -> 224: the long side 1792 px is 8 windows long; stride 149 -> 12 windows
        assertEquals(12, WindowLayout.plan(1200, 150, 224, 1.0 / 3, 8).windows());
        // capped at 4 windows' length (896 px, short side padded): ceil((896 - 224) / 149) + 1 = 6
        assertEquals(6, strip.windows());
        WindowLayout line = WindowLayout.plan(1, 300, 224, 1.0 / 3, 4);
        // 1 px wide: the long side is capped at 896 px (3 px wide after resizing, padded to a window): 6 windows
        assertEquals(6, line.windows());
        List<Raster8> crops = line.crops(Raster8.blank(1, 300, 3));
        assertEquals(224, crops.get(0).width());
    }

    @Test
    void aConstantWindowMapComesBackConstantAtImageSize() {
        WindowLayout l = WindowLayout.plan(333, 120, 224, 1.0 / 3, 4);
        float[][] maps = new float[l.windows()][];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = new float[49];
            java.util.Arrays.fill(maps[i], 0.7f);
        }
        float[] img = l.toImage(maps, 7);
        assertEquals(333 * 120, img.length);
        for (float v : img) {
            assertEquals(0.7f, v, 1e-6f);
        }
    }

    @Test
    void leftAndRightWindowsLandOnTheirSides() {
        WindowLayout l = WindowLayout.plan(600, 200, 224, 1.0 / 3, 4);
        float[][] maps = new float[l.windows()][49];
        java.util.Arrays.fill(maps[maps.length - 1], 1f); // only the right-most window fires
        float[] img = l.toImage(maps, 7);
        assertEquals(0f, img[100 * 600 + 5], 1e-6f);
        assertEquals(1f, img[100 * 600 + 595], 1e-6f);
    }

    @Test
    void textEmbeddingsAreEncodedOncePerDistinctPrompt() {
        int[] calls = {0};
        TextEmbeddings t = new TextEmbeddings(texts -> {
            calls[0]++;
            return texts.stream().map(s -> new float[] {s.length(), 1}).toArray(float[][]::new);
        });
        float[][] a = t.get(List.of("a", "bb", "a"));
        t.get(List.of("bb", "ccc"));
        t.get("a");
        assertEquals(3, t.encodedCount());
        assertEquals(2, calls[0]);
        assertEquals(1.0, Math.hypot(a[0][0], a[0][1]), 1e-6, "unit length");
        assertEquals(a[0], a[2]);
    }
}
