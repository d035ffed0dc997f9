package org.clipwsss.runtime.crf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small properties of the lattice, the CRF and CLIP-ES's steps, and uint8 .npy files for the labels. */
class CrfUnitTest {
    @TempDir
    Path tmp;

    @Test
    void latticeFiltersLikeANarrowGaussian() {
        // points on a line 10 apart: far beyond the kernel, so each only sees itself
        float[] far = {0, 10, 20, 30, 40};
        PermutohedralLattice line = PermutohedralLattice.build(far, 1);
        for (int i = 0; i < 5; i++) {
            float[] impulse = new float[5];
            impulse[i] = 1f;
            float[] out = line.filter(impulse, 1);
            for (int j = 0; j < 5; j++) {
                assertTrue(j == i ? out[j] > 0.3f : out[j] == 0f, "point " + j + " from an impulse at " + i + ": " + out[j]);
            }
        }
        // a constant signal on a dense grid comes out constant away from the border, and is symmetric
        int w = 40;
        int h = 30;
        PermutohedralLattice grid = PermutohedralLattice.build(ClipEsCrf.smoothnessFeatures(w, h, 3f), 2);
        assertEquals(w * h, grid.size());
        assertEquals(2, grid.dimension());
        float[] ones = new float[w * h];
        java.util.Arrays.fill(ones, 1f);
        float[] norm = grid.filter(ones, 1);
        float centre = norm[15 * w + 20];
        assertEquals(centre, norm[14 * w + 19], 0.05 * centre);
        assertTrue(norm[0] < centre, "the corner sees fewer neighbours");
        // the same signal filtered as 1 value per point or within 3 (the SSE path) agrees closely
        float[] three = new float[3 * w * h];
        for (int i = 0; i < w * h; i++) {
            three[3 * i] = 1f;
            three[3 * i + 1] = 2f;
            three[3 * i + 2] = 0.5f;
        }
        float[] t = grid.filter(three, 3);
        for (int i = 0; i < w * h; i++) {
            assertEquals(norm[i], t[3 * i], 1e-5 * norm[i]);
            assertEquals(2 * norm[i], t[3 * i + 1], 2e-5 * norm[i]);
        }
    }

    @Test
    void manyVerticesGrowTheTable() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] f = new float[5 * 5000];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (rnd.nextDouble() * 500);
        }
        PermutohedralLattice l = PermutohedralLattice.build(f, 5);
        assertTrue(l.vertexCount() > 5000 && l.vertexCount() <= 6 * 5000, "vertices " + l.vertexCount());
        float[] in = new float[5000];
        java.util.Arrays.fill(in, 1f);
        float[] out = l.filter(in, 1);
        for (float v : out) {
            assertTrue(v > 0 && Float.isFinite(v));
        }
    }

    @Test
    void latticeRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> PermutohedralLattice.build(new float[] {1, 2, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> PermutohedralLattice.build(new float[] {Float.NaN, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> PermutohedralLattice.build(new float[][] {{1, 2}, {3}}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PermutohedralLattice.build(new float[] {0, 40000}, 1));
        assertEquals("the features of point 1 are too large for the lattice's 16-bit vertex coordinates", e.getMessage());
        ClipWsssException big = assertThrows(ClipWsssException.class, () -> ClipEsCrf.run(Raster8.blank(20000, 1, 1),
                new float[][] {new float[20000]}));
        assertTrue(big.getMessage().startsWith("CRF: the 20000x1 image does not fit the lattice with these settings"),
                big.getMessage());
        PermutohedralLattice l = PermutohedralLattice.build(new float[][] {{1, 2}, {3, 4}});
        assertThrows(IllegalArgumentException.class, () -> l.filter(new float[3], 2));
    }

    @Test
    void withoutPairwiseTermsTheCrfIsTheSoftmaxOfMinusTheUnary() {
        float[][] u = {{0f, 1f, 5f}, {1f, 0f, 5f}};
        float[][] q = new DenseCrf(3, 2).setUnary(u).inference(5);
        assertEquals(1 / (1 + Math.exp(-1)), q[0][0], 1e-6);
        assertEquals(1 / (1 + Math.exp(1)), q[1][0], 1e-6);
        assertEquals(0.5, q[0][2], 1e-7);
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf(3, 2).setUnary(new float[5]));
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf(3, 2).setUnary(new float[] {0, 0, 0, 0, 0, Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf(3, 2).addPairwise(new float[4], 2, 1f));
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf(3, 2).inference(-1));
    }

    @Test
    void grayAndRgbaImagesAreTheirRgb() {
        SplittableRandom rnd = new SplittableRandom(2);
        byte[] gray = new byte[6 * 4];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (byte) rnd.nextInt(256);
        }
        byte[] rgb = new byte[6 * 4 * 3];
        byte[] rgba = new byte[6 * 4 * 4];
        for (int i = 0; i < gray.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray[i];
            rgba[4 * i + 3] = (byte) rnd.nextInt(256);
        }
        byte[] want = ClipEsCrf.prepareColour(new Raster8(6, 4, 3, rgb));
        assertArrayEquals(want, ClipEsCrf.prepareColour(new Raster8(6, 4, 1, gray)));
        assertArrayEquals(want, ClipEsCrf.prepareColour(new Raster8(6, 4, 4, rgba)));
        // B,G,R order: a pure red pixel has its red in the third byte
        byte[] red = ClipEsCrf.prepareColour(new Raster8(1, 1, 3, new byte[] {(byte) 255, 0, 0}));
        assertArrayEquals(new byte[] {(byte) ClipEsCrf.prepareByte(0, 0), (byte) ClipEsCrf.prepareByte(1, 0),
            (byte) ClipEsCrf.prepareByte(2, 255)}, red);

        float[][] cams = {new float[24], new float[24]};
        cams[1][3] = 0.9f;
        ClipEsCrf.Result g = ClipEsCrf.run(new Raster8(6, 4, 1, gray), cams);
        ClipEsCrf.Result c = ClipEsCrf.run(new Raster8(6, 4, 3, rgb), cams);
        assertArrayEquals(CrfAgreement.flatten(c.prob()), CrfAgreement.flatten(g.prob()));
        assertArrayEquals(c.label(), g.label());
    }

    @Test
    void unaryIsMinusTheLogOfTheClippedProbabilities() {
        float[][] cams = {{0f, 0.5f, 1f, 2f}, {0.25f, 0.25f, 0f, 0f}};
        float[] u = ClipEsCrf.unary(cams, 2, 2, 1f);
        float big = (float) -Math.log(1e-5f);
        assertArrayEquals(new float[] {
            (float) -Math.log(0.75f), (float) -Math.log(0.5f), big, big,
            big, (float) -Math.log(0.5f), -0f, -0f,
            (float) -Math.log(0.25f), (float) -Math.log(0.25f), big, big}, u);
        float[] squared = ClipEsCrf.unary(cams, 2, 2, 2f);
        assertEquals((float) -Math.log(0.5625f), squared[0], 1e-7);
    }

    @Test
    void badCamsAreOneLineErrors() {
        Raster8 img = Raster8.blank(3, 2, 3);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ClipEsCrf.run(img, new float[][] {new float[5]}));
        assertEquals("CRF: CAM 0 has 5 values but the 3x2 image has 6 pixels", e.getMessage());
        float[] nan = new float[6];
        nan[4] = Float.NaN;
        e = assertThrows(ClipWsssException.class, () -> ClipEsCrf.run(img, new float[][] {new float[6], nan}));
        assertEquals("CRF: CAM 1 is NaN at x = 1, y = 1", e.getMessage());
        e = assertThrows(ClipWsssException.class, () -> ClipEsCrf.run(img, new float[0][]));
        assertEquals("CRF: no CAMs (at least one class is needed)", e.getMessage());
        e = assertThrows(ClipWsssException.class, () -> ClipEsCrf.Settings.clipEs().withIterations(-1));
        assertEquals("CRF settings: iterations must be >= 0, got -1", e.getMessage());
    }

    @Test
    void labelsAreTheArgmaxOrUncertain() {
        float[][] q = {{0.95f, 0.5f, 0.949999f, 0.2f}, {0.05f, 0.5f, 0.050001f, 0.8f}};
        assertArrayEquals(new byte[] {0, (byte) 255, (byte) 255, (byte) 255}, ClipEsCrf.labels(q, 0.95f));
        assertArrayEquals(new byte[] {0, 0, 0, 1}, ClipEsCrf.labels(q, 0f));
    }

    @Test
    void uint8NpyFilesRoundTripAsNumpyWritesThem() throws Exception {
        Path ref = CrfAgreement.FIXTURE.resolve("reference/2007_001724.label.npy");
        NpyArray labels = Npy.read(ref);
        assertEquals(NpyArray.DType.UINT8, labels.dtype());
        assertEquals("uint8 [315, 275]", labels.toString());
        Path copy = tmp.resolve("copy.npy");
        Npy.write(copy, labels);
        assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(copy));
        NpyArray a = NpyArray.ofBytes(new byte[] {0, 1, (byte) 255}, 3);
        assertArrayEquals(new float[] {0, 1, 255}, a.toFloats());
        assertArrayEquals(new long[] {0, 1, 255}, a.toLongs());
        assertEquals(a, Npy.read(writeAndReturn(tmp.resolve("a.npy"), a)));
        assertThrows(ClipWsssException.class, a::floats);
    }

    private static Path writeAndReturn(Path file, NpyArray a) {
        Npy.write(file, a);
        return file;
    }
}
