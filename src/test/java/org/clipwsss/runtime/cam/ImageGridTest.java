package org.clipwsss.runtime.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Dense embeddings on a whole-image grid (one graph for every grid, position embeddings an input) agree with the
 * square graphs built for one size (the model's, and a larger one with bicubically resampled positions); the grid
 * plan covers images of any aspect.
 */
class ImageGridTest {
    @TempDir
    static Path cache;
    static SessionFactory sessions;
    static ClipModel tiny;
    static ClipModel odd;

    @BeforeAll
    static void open() {
        sessions = new SessionFactory(Device.CPU, 2);
        tiny = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache));
        odd = ClipModel.open(Fixtures.CLIP_ODD, ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache));
    }

    @AfterAll
    static void close() {
        tiny.close();
        odd.close();
        sessions.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void theGridGraphEqualsTheSquareGraphs(int times) {
        for (ClipModel m : List.of(tiny, odd)) {
            int s = m.config().vision().imageSize() * times;
            float[] px = new float[3 * s * s];
            Random r = new Random(7);
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) r.nextGaussian();
            }
            NpyArray pixels = NpyArray.ofFloats(px, 1, 3, s, s);
            for (ClipModel.Dense mode : ClipModel.Dense.values()) {
                float[] square = m.denseEmbeds(pixels, mode).floats();
                float[] grid = m.denseEmbedsGrid(pixels, mode).floats();
                assertEquals(square.length, grid.length);
                double worst = 0;
                for (int i = 0; i < square.length; i++) {
                    worst = Math.max(worst, Math.abs(square[i] - grid[i]));
                }
                assertTrue(worst < 1e-4, m.folder().dir() + " " + mode + " at " + s + ": " + worst);
            }
        }
    }

    @Test
    void aNonSquareGridCoversTheWholeImage() {
        Raster8 img = ImageFiles.read(Path.of("src/test/resources/voc-sample/JPEGImages/2007_000032.jpg"));
        int p = tiny.config().vision().patchSize();
        ImageGrid g = ImageGrid.plan(img.width(), img.height(), p, tiny.config().vision().imageSize());
        assertEquals((int) Math.ceil(500.0 / p), g.width());
        assertEquals((int) Math.ceil(281.0 / p), g.height());
        DenseFeatures f = DenseFeatures.compute(tiny, ClipModel.Dense.CLEARCLIP, tiny.folder().preprocessor(), img,
                tiny.config().vision().imageSize(), 1.0 / 3, 4, 2048);
        assertTrue(f.wholeImage());
        float[][][] prob = f.softmax(new float[][] {unit(tiny, 0), unit(tiny, 1)}, 100f, 1);
        assertEquals(g.patches(), prob[0][0].length);
        assertEquals(img.width() * img.height(), f.toImage(prob[0]).length);
        DenseFeatures windows = DenseFeatures.compute(tiny, ClipModel.Dense.CLEARCLIP, tiny.folder().preprocessor(), img,
                tiny.config().vision().imageSize(), 1.0 / 3, 4, 0);
        assertTrue(!windows.wholeImage(), "budget 0: windows");
        // a budget below the grid's patches falls back to windows too
        assertTrue(!DenseFeatures.compute(tiny, ClipModel.Dense.CLEARCLIP, tiny.folder().preprocessor(), img,
                tiny.config().vision().imageSize(), 1.0 / 3, 4, g.patches() - 1).wholeImage());
    }

    @Test
    void theDenseSoftmaxMatchesAPlainDoubleComputation() {
        Raster8 img = ImageFiles.read(Path.of("src/test/resources/voc-sample/JPEGImages/2007_000032.jpg"));
        int e = tiny.config().projectionDim();
        Random rnd = new Random(7);
        float[][] texts = new float[9][e];
        for (float[] t : texts) {
            double n = 0;
            for (int k = 0; k < e; k++) {
                t[k] = (float) rnd.nextGaussian();
                n += t[k] * t[k];
            }
            for (int k = 0; k < e; k++) {
                t[k] /= (float) Math.sqrt(n);
            }
        }
        for (int budget : new int[] {2048, 0}) {
            DenseFeatures f = DenseFeatures.compute(tiny, ClipModel.Dense.CLEARCLIP, tiny.folder().preprocessor(), img,
                    tiny.config().vision().imageSize(), 1.0 / 3, 4, budget);
            float[][][] prob = f.softmax(texts, 100f, 4);
            float[][] rows = f.patchRows();
            double worst = 0;
            for (int w = 0; w < rows.length; w++) {
                int np = rows[w].length / e;
                assertEquals(np, prob[0][w].length);
                for (int p = 0; p < np; p++) {
                    double[] logit = new double[texts.length];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < texts.length; t++) {
                        for (int k = 0; k < e; k++) {
                            logit[t] += (double) rows[w][p * e + k] * texts[t][k];
                        }
                        logit[t] *= 100;
                        max = Math.max(max, logit[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t < texts.length; t++) {
                        sum += Math.exp(logit[t] - max);
                    }
                    for (int t = 0; t < 4; t++) {
                        worst = Math.max(worst, Math.abs(prob[t][w][p] - Math.exp(logit[t] - max) / sum));
                    }
                }
            }
            assertTrue(worst < 2e-5, "budget " + budget + ": worst probability difference " + worst);
        }
    }

    @Test
    void smallImagesAreBroughtUpToTheInputSize() {
        ImageGrid g = ImageGrid.plan(100, 50, 32, 224);
        assertArrayEquals(new int[] {14, 7}, new int[] {g.width(), g.height()});
        ImageGrid big = ImageGrid.plan(500, 375, 16, 224);
        assertArrayEquals(new int[] {32, 24}, new int[] {big.width(), big.height()}, "CLIP-ES's 24 x 32 for a 500 x 375 VOC image");
    }

    static float[] unit(ClipModel m, int axis) {
        float[] v = new float[m.config().projectionDim()];
        v[axis] = 1f;
        return v;
    }
}
