package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLIP-ES's attention-affinity refinement: the transition matrix, the boxes and the propagation on small hand-made
 * inputs against straightforward double-precision computations, and Grad-CAM with the refinement through the
 * pipeline on clip-tiny.
 */
class GradCamAffinityTest {

    /** Sinkhorn-style normalisation, symmetrisation and squaring, against a direct 2-D computation. */
    @Test
    void transitionMatchesADirectComputation() {
        int n = 5;
        Random r = new Random(7);
        float[] a = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = 0.01f + r.nextFloat();
        }
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[i][j] = a[i * n + j];
            }
        }
        for (int round = 0; round < 3; round++) {
            for (int j = 0; j < n; j++) { // dim=0 sums: over rows, per column
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += t[i][j];
                }
                for (int i = 0; i < n; i++) {
                    t[i][j] /= s;
                }
            }
            for (int i = 0; i < n; i++) { // dim=1 sums: over columns, per row
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += t[i][j];
                }
                for (int j = 0; j < n; j++) {
                    t[i][j] /= s;
                }
            }
        }
        double[][] sym = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sym[i][j] = (t[i][j] + t[j][i]) / 2;
            }
        }
        float[] actual = AttentionAffinity.transition(a, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double e = 0;
                for (int k = 0; k < n; k++) {
                    e += sym[i][k] * sym[k][j];
                }
                assertEquals(e, actual[i * n + j], 1e-6, "T[" + i + "," + j + "]");
                assertEquals(actual[j * n + i], actual[i * n + j], 1e-7, "symmetric");
            }
        }
    }

    /** Two blobs give two boxes (exclusive ends, clamped to width - 1 and height - 1 as in CLIP-ES). */
    @Test
    void twoBlobsGiveTwoBoxes() {
        int w = 6;
        int h = 5;
        float[] m = new float[w * h];
        java.util.Arrays.fill(m, 0.1f);
        for (int y = 1; y <= 2; y++) {
            for (int x = 1; x <= 2; x++) {
                m[y * w + x] = 1f;
            }
        }
        m[3 * w + 4] = 0.8f;
        m[3 * w + 5] = 0.8f;
        // exactly at the threshold: uint8(0.4 * 255) = 102 is not above int(0.4 * 255) = 102, so background
        m[4 * w] = 0.4f;
        List<int[]> boxes = AttentionAffinity.boxes(m, w, h);
        assertEquals(2, boxes.size());
        assertArrayEquals(new int[] {1, 1, 3, 3}, boxes.get(0));
        // the second blob touches the right border: its exclusive end 6 is clamped to 5, losing column 5
        assertArrayEquals(new int[] {4, 3, 5, 4}, boxes.get(1));
        float[] mask = AttentionAffinity.boxMask(m, w, h);
        float[] expected = new float[w * h];
        for (int y = 1; y <= 2; y++) {
            for (int x = 1; x <= 2; x++) {
                expected[y * w + x] = 1f;
            }
        }
        expected[3 * w + 4] = 1f;
        assertArrayEquals(expected, mask);
        // diagonal neighbours are one region (8-connectivity, as OpenCV's contours)
        float[] d = new float[16];
        d[0] = 1f;
        d[5] = 1f;
        d[10] = 1f;
        assertEquals(1, AttentionAffinity.boxes(d, 4, 4).size());
        assertArrayEquals(new int[] {0, 0, 3, 3}, AttentionAffinity.boxes(d, 4, 4).get(0));
        // nothing above the threshold: CLIP-ES's empty box
        assertArrayEquals(new int[] {0, 0, 0, 0}, AttentionAffinity.boxes(new float[16], 4, 4).get(0));
    }

    /**
     * The propagation on a 4x4 grid: refined[i] = range * sum_j T[i,j] mask[j] cam'[j], cam' the twice
     * normalised CAM and the mask multiplying T's columns, so patches outside the box receive values and the CAM
     * outside the box does not spread.
     */
    @Test
    void refinementMatchesADirectComputation() {
        int g = 4;
        int n = g * g;
        Random r = new Random(3);
        float[] a = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = 0.01f + r.nextFloat();
        }
        float[] trans = AttentionAffinity.transition(a, n);
        // a blob at (1..2, 1..2) and weak values elsewhere (below the box threshold but not zero)
        float[] cam = new float[n];
        for (int i = 0; i < n; i++) {
            cam[i] = 0.5f + 0.1f * (i % 3);
        }
        cam[g + 1] = 3f;
        cam[g + 2] = 2.5f;
        cam[2 * g + 1] = 2f;
        cam[2 * g + 2] = 4f;
        float[] refined = AttentionAffinity.refine(trans, cam, g, g);
        double min = 0.5;
        double range = 4 - 0.5;
        // scale_cam_image twice in float32, as pytorch-grad-cam
        float denominator = (float) (1e-7 + (float) range);
        float[] once = new float[n];
        float top = 0;
        for (int i = 0; i < n; i++) {
            once[i] = (cam[i] - (float) min) / denominator;
            top = Math.max(top, once[i]);
        }
        float[] twice = new float[n];
        for (int i = 0; i < n; i++) {
            twice[i] = once[i] / (float) (1e-7 + top);
        }
        // the box of the blob: x, y in [1, 3) (the clamp to 3 = g - 1 keeps it)
        double[] maskedCam = new double[n];
        for (int y = 1; y < 3; y++) {
            for (int x = 1; x < 3; x++) {
                maskedCam[y * g + x] = twice[y * g + x];
            }
        }
        for (int i = 0; i < n; i++) {
            double e = 0;
            for (int j = 0; j < n; j++) {
                e += trans[i * n + j] * maskedCam[j];
            }
            e *= range;
            assertEquals(e, refined[i], 1e-5 * Math.abs(e) + 1e-7, "patch " + i);
        }
        // patches outside the box receive the blob's values; without the box the sum would be larger
        assertTrue(refined[0] > 0, "a patch outside the box gets a value");
        double unmasked = 0;
        for (int j = 0; j < n; j++) {
            unmasked += trans[j] * twice[j] * range;
        }
        assertTrue(unmasked > refined[0] * 1.01, "the weak CAM outside the box is not propagated");
    }

    /** Grad-CAM with the refinement on clip-tiny: maps of the image's size in [0,1], not the unrefined ones. */
    @Test
    void affinityThroughThePipeline(@TempDir Path cache) {
        Raster8 img = ImageFiles.read(GradCamCamsTest.IMAGES.resolve("2007_000032.jpg"));
        List<String> classes = List.of("aeroplane", "person");
        try (TinyModel tiny = new TinyModel(cache)) {
            PipelineSettings off = PipelineSettings.defaults().withMethod("gradcam", null);
            Pipeline on = Pipeline.create(tiny.model, off.withTrained(null, true));
            assertTrue(on.describe().contains("attention-affinity refinement over the last 2 layers"), on.describe());
            Cams refined = on.process(img, classes, null).cams();
            Cams plain = Pipeline.create(tiny.model, off).process(img, classes, null).cams();
            assertEquals(classes, refined.classes());
            assertEquals(img.width(), refined.width());
            assertEquals(img.height(), refined.height());
            for (int c = 0; c < classes.size(); c++) {
                float[] m = refined.maps()[c];
                assertEquals(img.width() * img.height(), m.length);
                float max = 0;
                double diff = 0;
                for (int i = 0; i < m.length; i++) {
                    assertTrue(m[i] >= 0 && m[i] <= 1, "value " + m[i]);
                    max = Math.max(max, m[i]);
                    diff = Math.max(diff, Math.abs(m[i] - plain.maps()[c][i]));
                }
                System.out.printf("%s: max |refined - plain| = %.3g%n", classes.get(c), diff);
                assertEquals(1f, max, 1e-6f, "a refined map peaks at 1");
                assertTrue(diff > 0.05, classes.get(c) + ": the refinement changes the map (max diff " + diff + ")");
            }
        }
    }
}
