package org.clipwsss.runtime.crf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.clipwsss.runtime.crf.CrfAgreement.Case;
import org.clipwsss.runtime.crf.CrfAgreement.Measures;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ClipEsCrf} against pydensecrf's own outputs as CLIP-ES uses it ({@code conformance/crf/README.md}): the
 * four images within the README's suggested acceptance, and the 48x36 debugging case step by step.
 */
class CrfConformanceTest {
    private static final Path TINY = CrfAgreement.FIXTURE.resolve("tiny");

    static Stream<String> images() {
        return CrfAgreement.IMAGES.stream();
    }

    @ParameterizedTest
    @MethodSource("images")
    void matchesPydensecrfWithinTheAcceptance(String name) {
        Case c = CrfAgreement.load(name);
        ClipEsCrf.Result r = ClipEsCrf.run(c.image(), c.cams());
        assertEquals(c.width(), r.width());
        assertEquals(c.height(), r.height());
        Measures m = CrfAgreement.measure(r.prob(), r.label(), c.refProb(), c.refLabel());
        System.out.println("CRF conformance " + name + " (" + c.width() + "x" + c.height() + ", "
                + c.cams().length + " CAMs): " + m);
        assertEquals(List.of(), m.failures(), name + ": " + m);
        // what the README measured for faithful float32 implementations, with room to spare
        assertTrue(m.maxAbs() <= 1e-3, name + ": " + m);
        assertTrue(m.agree() >= 0.99999, name + ": " + m);
    }

    @Test
    void preparesTheColourBytesAsClipEsCastsThem() {
        NpyArray lut = Npy.read(CrfAgreement.FIXTURE.resolve("prepared_lut.npy")).requireShape(null, "lut", 3, 256);
        byte[] want = lut.bytes();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                assertEquals(want[c * 256 + v] & 0xff, ClipEsCrf.prepareByte(c, v), "channel " + c + " value " + v);
            }
        }
        // the README's examples for B (mean 104.008)
        assertEquals(95, ClipEsCrf.prepareByte(0, 200));
        assertEquals(0, ClipEsCrf.prepareByte(0, 105));
        assertEquals(0, ClipEsCrf.prepareByte(0, 104));
        assertEquals(255, ClipEsCrf.prepareByte(0, 103));
        assertEquals(152, ClipEsCrf.prepareByte(0, 0));

        Raster8 tiny = ImageFiles.read(TINY.resolve("image.png"));
        byte[] prepared = Npy.read(TINY.resolve("prepared_image.npy"))
                .requireShape(null, "prepared image", tiny.height(), tiny.width(), 3).bytes();
        assertArrayEquals(prepared, ClipEsCrf.prepareColour(tiny));
    }

    @Test
    void tinyUnaryMatches() {
        Raster8 tiny = ImageFiles.read(TINY.resolve("image.png"));
        float[] unary = ClipEsCrf.unary(tinyCams(tiny), tiny.width(), tiny.height(), 1f);
        float[] want = Npy.read(TINY.resolve("unary.npy")).floats();
        double d = CrfAgreement.maxAbsDiff(unary, want);
        System.out.println("CRF tiny: unary max |d| " + d);
        assertTrue(d <= 2e-6, "unary max |d| " + d);
    }

    @Test
    void tinyIterationsMatchStepByStep() {
        Raster8 tiny = ImageFiles.read(TINY.resolve("image.png"));
        int w = tiny.width();
        int h = tiny.height();
        float[][] cams = tinyCams(tiny);
        float[] unary = ClipEsCrf.unary(cams, w, h, 1f);
        byte[] bgr = ClipEsCrf.prepareColour(tiny);
        PermutohedralLattice gauss = PermutohedralLattice.build(ClipEsCrf.smoothnessFeatures(w, h, 1f), 2);
        PermutohedralLattice bilateral = PermutohedralLattice.build(ClipEsCrf.appearanceFeatures(w, h, bgr, 67f, 3f), 5);
        int m = cams.length + 1;
        DenseCrf both = new DenseCrf(w * h, m).setUnary(unary)
                .addPairwise(gauss, 3f, DenseCrf.Normalization.SYMMETRIC)
                .addPairwise(bilateral, 4f, DenseCrf.Normalization.SYMMETRIC);
        DenseCrf gaussOnly = new DenseCrf(w * h, m).setUnary(unary).addPairwise(gauss, 3f, DenseCrf.Normalization.SYMMETRIC);
        DenseCrf bilateralOnly = new DenseCrf(w * h, m).setUnary(unary)
                .addPairwise(bilateral, 4f, DenseCrf.Normalization.SYMMETRIC);

        check("q_iter0", both.inference(0), 1e-6);
        check("q_gauss_only_iter1", gaussOnly.inference(1), 1e-5);
        check("q_bilateral_only_iter1", bilateralOnly.inference(1), 1e-5);
        check("q_iter1", both.inference(1), 1e-5);
        check("q_iter2", both.inference(2), 1e-5);
        float[][] q10 = both.inference(10);
        check("prob", q10, 1e-4);
        byte[] label = Npy.read(TINY.resolve("label.npy")).bytes();
        assertArrayEquals(label, ClipEsCrf.labels(q10, 0.95f));

        ClipEsCrf.Result r = ClipEsCrf.run(tiny, cams);
        assertArrayEquals(CrfAgreement.flatten(q10), CrfAgreement.flatten(r.prob()));
        assertArrayEquals(label, r.label());
    }

    @Test
    void unfaithfulVariantsFailTheAcceptance() {
        Case c = CrfAgreement.load("2007_008072");
        int w = c.width();
        int h = c.height();
        float[] unary = ClipEsCrf.unary(c.cams(), w, h, 1f);
        byte[] bgr = ClipEsCrf.prepareColour(c.image());
        byte[] rgb = bgr.clone();
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 2] = bgr[i];
        }
        Measures faithful = variant(c, unary, bgr, DenseCrf.Normalization.SYMMETRIC);
        Measures rgbOrder = variant(c, unary, rgb, DenseCrf.Normalization.SYMMETRIC);
        Measures after = variant(c, unary, bgr, DenseCrf.Normalization.AFTER);
        System.out.println("CRF mutation 2007_008072, faithful: " + faithful);
        System.out.println("CRF mutation 2007_008072, R,G,B order: " + rgbOrder);
        System.out.println("CRF mutation 2007_008072, NORMALIZE_AFTER: " + after);
        assertEquals(List.of(), faithful.failures());
        assertTrue(rgbOrder.failures().size() >= 2, rgbOrder.toString());
        assertTrue(after.failures().size() >= 2, after.toString());
        assertFalse(rgbOrder.maxAbs() < 0.1, rgbOrder.toString());
    }

    private static Measures variant(Case c, float[] unary, byte[] colour, DenseCrf.Normalization normalization) {
        int w = c.width();
        int h = c.height();
        DenseCrf crf = new DenseCrf(w * h, c.cams().length + 1).setUnary(unary)
                .addPairwise(PermutohedralLattice.build(ClipEsCrf.smoothnessFeatures(w, h, 1f), 2), 3f, normalization)
                .addPairwise(PermutohedralLattice.build(ClipEsCrf.appearanceFeatures(w, h, colour, 67f, 3f), 5), 4f,
                        normalization);
        float[][] q = crf.inference(10);
        return CrfAgreement.measure(q, ClipEsCrf.labels(q, 0.95f), c.refProb(), c.refLabel());
    }

    private static float[][] tinyCams(Raster8 tiny) {
        NpyArray cams = Npy.read(TINY.resolve("cams.npy"));
        long[] s = cams.shape();
        assertEquals(3, s.length);
        assertEquals(tiny.height(), s[1]);
        assertEquals(tiny.width(), s[2]);
        return CrfAgreement.split(cams.floats(), (int) s[0], tiny.width() * tiny.height());
    }

    private static void check(String file, float[][] q, double tolerance) {
        float[] want = Npy.read(TINY.resolve(file + ".npy")).floats();
        double d = CrfAgreement.maxAbsDiff(CrfAgreement.flatten(q), want);
        System.out.println("CRF tiny: " + file + " max |d| " + d);
        assertTrue(d <= tolerance, file + ": max |d| " + d + " > " + tolerance);
    }
}
