package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grad-CAM CAMs on the bundled clip-tiny model: the pipeline method, and the gradient against finite differences. */
class GradCamCamsTest {
    static final Path IMAGES = Path.of("src/test/resources/voc-sample/JPEGImages");
    @TempDir
    static Path cache;
    static TinyModel tiny;
    static ClipModel model;

    @BeforeAll
    static void open() {
        tiny = new TinyModel(cache);
        model = tiny.model;
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @Test
    void gradcamThroughThePipeline() {
        Raster8 img = ImageFiles.read(IMAGES.resolve("2007_000032.jpg"));
        Pipeline p = Pipeline.create(model, PipelineSettings.defaults().withMethod("gradcam", null));
        assertTrue(p.describe().startsWith("gradcam"), p.describe());
        ImageResult r = p.process(img, List.of("aeroplane", "person"), null);
        Cams c = r.cams();
        assertEquals(List.of("aeroplane", "person"), c.classes());
        assertEquals(img.width(), c.width());
        assertEquals(img.height(), c.height());
        for (float[] m : c.maps()) {
            assertEquals(img.width() * img.height(), m.length);
            for (float v : m) {
                assertTrue(v >= 0 && v <= 1, "value " + v);
            }
        }
        // without refinement the maps are the min-max normalised Grad-CAMs themselves: peak 1 where not constant
        Cams plain = Pipeline.create(model, PipelineSettings.defaults().withMethod("gradcam", null)
                .withSynonyms("none", "image").withBackground("clip-es", 0)).process(img, List.of("aeroplane", "person"), null).cams();
        for (float[] m : plain.maps()) {
            float max = 0;
            for (float v : m) {
                max = Math.max(max, v);
            }
            assertEquals(1f, max, 1e-6f, "a Grad-CAM map peaks at 1");
        }
    }

    @Test
    void unknownMethodListsGradcam() {
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> PipelineSettings.defaults().withMethod("gradcam++", null));
        assertTrue(e.getMessage().contains("gradcam++"), e.getMessage());
        assertTrue(e.getMessage().contains("(use one of clearclip, maskclip, onnx, ") && e.getMessage().contains(", gradcam"), e.getMessage());
    }

    @Test
    void gradCamOfOneWindowByHand() {
        // 1 class token + 2 patches, width 2; the class token's values must not count
        float[] h = {9, 9, 1, 2, 3, -4};
        float[] g = {100, 100, 1, 0, 3, 2};
        // w = mean over patches = (2, 1); cam = ReLU(2*1 + 1*2, 2*3 - 4) = (4, 2)
        assertArrayEquals(new float[] {4, 2}, GradCamCams.gradCam(h, g, 3, 2), 1e-6f);
        float[] neg = {0, 0, -1, 0, 1, 0};
        float[] gn = {0, 0, 1, 0, 1, 0};
        // w = (1, 0): cam = (ReLU(-1), 1) = (0, 1)
        assertArrayEquals(new float[] {0, 1}, GradCamCams.gradCam(neg, gn, 3, 2), 1e-6f);
    }

    /**
     * The gradient of the class probability with respect to the hidden state entering the last layer against
     * central differences: single coordinates, and the Grad-CAM weight of a channel (the derivative along that
     * channel shifted on every patch token, divided by the number of patches).
     */
    @Test
    void gradientMatchesFiniteDifferences() {
        // a moderate logit scale keeps the random model's probabilities away from 0 and 1
        float scale = 10f;
        TextEmbeddings text = TextEmbeddings.of(model);
        GradCamCams cams = new GradCamCams(model, text, "a photo of {}.", BackgroundPrompts.none(), scale, 0, 1.0 / 3, 4);
        int s = model.config().vision().imageSize();
        Raster8 img = ImageFiles.read(IMAGES.resolve("2007_000032.jpg"));
        float[] px = model.folder().preprocessor().preprocessResized(img, s, s);
        NpyArray hidden = cams.hiddenStates(NpyArray.ofFloats(px, 1, 3, s, s));
        long[] shape = hidden.shape();
        int tokens = (int) shape[1];
        int width = (int) shape[2];
        assertEquals(model.config().vision().hiddenSize(), width);
        float[][] texts = text.get(List.of("a photo of a plane.", "a photo of a person.", "a photo of the sky."));
        // two rows (the same window) with different targets: each row's gradient is its own class's
        float[] h = hidden.floats();
        float[] rows = new float[2 * h.length];
        System.arraycopy(h, 0, rows, 0, h.length);
        System.arraycopy(h, 0, rows, h.length, h.length);
        int[] targets = {0, 1};
        GradCamCams.Gradient grad = cams.gradient(NpyArray.ofFloats(rows, 2, tokens, width), texts, targets);
        float[] p = grad.probabilities().floats();
        System.out.printf("probabilities %s%n", java.util.Arrays.toString(p));
        assertEquals(p[0] + p[4], grad.score(), 1e-5f);
        assertTrue(p[0] > 1e-3 && p[0] < 1 - 1e-3 && p[4] > 1e-3 && p[4] < 1 - 1e-3, "probabilities away from 0 and 1");
        float[] g = grad.grad().floats();
        double largest = 0;
        for (float v : g) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 0, "a non-zero gradient");
        // the score is float32 (about 0.5: a few ulps of rounding, ~3e-7) and that noise over 2 eps is the difference's
        // floor: at eps 1e-2 about 1.5e-5, more than the small patch entries' tolerance (their gradients ~3e-5 differed
        // from it by up to 1e-5 when only the layer norm's rounding changed); at 5e-2 about 3e-6, the analytic values
        // then within 1e-6 of it (measured with ONNX Runtime's kernel and with its fused one-pass kernel)
        double eps = 5e-2;
        // single coordinates: the largest gradient entry of each row, a patch entry and a class-token entry
        int[] coords = {argMaxAbs(g, 0, h.length), h.length + argMaxAbs(g, h.length, h.length),
                5 * width + 3, h.length + 7 * width + 1, 2};
        for (int i : coords) {
            double fd = (score(cams, rows, i, eps, tokens, width, texts, targets)
                    - score(cams, rows, i, -eps, tokens, width, texts, targets)) / (2 * eps);
            System.out.printf("coordinate %d: analytic %.6g, finite difference %.6g%n", i, g[i], fd);
            assertEquals(fd, g[i], 2e-2 * Math.abs(fd) + 5e-6, "coordinate " + i);
        }
        // Grad-CAM weights of two channels of row 0: mean over patches of the gradient
        for (int c : new int[] {0, width / 2}) {
            double w = 0;
            for (int t = 1; t < tokens; t++) {
                w += g[t * width + c];
            }
            w /= tokens - 1;
            double[] at = new double[2];
            for (int side = 0; side < 2; side++) {
                float[] shifted = rows.clone();
                for (int t = 1; t < tokens; t++) {
                    shifted[t * width + c] += (float) (side == 0 ? eps : -eps);
                }
                at[side] = cams.gradient(NpyArray.ofFloats(shifted, 2, tokens, width), texts, targets).score();
            }
            double fd = (at[0] - at[1]) / (2 * eps) / (tokens - 1);
            System.out.printf("channel %d weight: analytic %.6g, finite difference %.6g%n", c, w, fd);
            assertEquals(fd, w, 2e-2 * Math.abs(fd) + 5e-7, "weight of channel " + c);
        }
    }

    private static double score(GradCamCams cams, float[] rows, int i, double eps, int tokens, int width,
            float[][] texts, int[] targets) {
        float[] x = rows.clone();
        x[i] += (float) eps;
        return cams.gradient(NpyArray.ofFloats(x, 2, tokens, width), texts, targets).score();
    }

    private static int argMaxAbs(float[] v, int from, int length) {
        int best = from;
        for (int i = from; i < from + length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[best])) {
                best = i;
            }
        }
        return best - from;
    }
}
