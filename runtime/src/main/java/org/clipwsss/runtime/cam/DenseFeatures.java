package org.clipwsss.runtime.cam;

import java.util.List;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;

/**
 * An image's training-free dense CLIP embeddings (unit-length rows) and how patch values map back to the image:
 * either one patch grid over the whole image ({@link ImageGrid}) or square windows ({@link WindowLayout}). They do
 * not depend on any prompt, so one image's features serve every CAM and refinement computed for it.
 */
public final class DenseFeatures {
    private final WindowLayout layout;
    private final ImageGrid imageGrid;
    private final int gridWidth;
    private final int gridHeight;
    private final int dim;
    private final float[][] patches;

    private DenseFeatures(WindowLayout layout, ImageGrid imageGrid, int gridWidth, int gridHeight, int dim, float[][] patches) {
        this.layout = layout;
        this.imageGrid = imageGrid;
        this.gridWidth = gridWidth;
        this.gridHeight = gridHeight;
        this.dim = dim;
        this.patches = patches;
    }

    /**
     * The features on a whole-image grid ({@link ImageGrid#plan}) when it needs at most {@code budget} patches,
     * else on windows ({@link #compute}).
     */
    public static DenseFeatures compute(ClipModel model, ClipModel.Dense mode, ClipPreprocessor pre, Raster8 image,
            int inputSize, double overlap, int maxWindows, int budget) {
        ImageGrid g = ImageGrid.plan(image.width(), image.height(), model.config().vision().patchSize(), inputSize);
        if (budget <= 0 || g.patches() > budget) {
            return compute(model, mode, pre, image, inputSize, overlap, maxWindows);
        }
        float[] px = pre.preprocessResized(image, g.pixelWidth(), g.pixelHeight());
        NpyArray dense = model.denseEmbedsGrid(NpyArray.ofFloats(px, 1, 3, g.pixelHeight(), g.pixelWidth()), mode);
        int e = (int) dense.shape()[2];
        float[][] one = {Similarity.normalizeRows(dense.floats(), e)};
        return new DenseFeatures(null, g, g.width(), g.height(), e, one);
    }

    /** Computes them with the model (all windows of the image in one run call). */
    public static DenseFeatures compute(ClipModel model, ClipModel.Dense mode, ClipPreprocessor pre, Raster8 image,
            int inputSize, double overlap, int maxWindows) {
        WindowLayout layout = WindowLayout.plan(image.width(), image.height(), inputSize, overlap, maxWindows);
        List<Raster8> crops = layout.crops(image);
        int per = 3 * inputSize * inputSize;
        float[] px = new float[crops.size() * per];
        for (int i = 0; i < crops.size(); i++) {
            System.arraycopy(pre.preprocessResized(crops.get(i), inputSize, inputSize), 0, px, i * per, per);
        }
        NpyArray dense = model.denseEmbeds(NpyArray.ofFloats(px, crops.size(), 3, inputSize, inputSize), mode);
        int p = (int) dense.shape()[1];
        int e = (int) dense.shape()[2];
        float[] all = dense.floats();
        float[][] windows = new float[crops.size()][];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = Similarity.normalizeRows(java.util.Arrays.copyOfRange(all, i * p * e, (i + 1) * p * e), e);
        }
        int grid = (int) Math.round(Math.sqrt(p));
        return new DenseFeatures(layout, null, grid, grid, e, windows);
    }

    /** The same features passed through trained POLE image adapters (unit-length rows again). */
    public DenseFeatures adapted(org.clipwsss.runtime.clip.Adapters adapters) {
        float[][] out = new float[patches.length][];
        for (int w = 0; w < out.length; w++) {
            out[w] = adapters.adaptImageRows(patches[w]);
        }
        return new DenseFeatures(layout, imageGrid, gridWidth, gridHeight, dim, out);
    }

    /** Per-window (or the one grid's) patch maps -> one map at the image's resolution. */
    public float[] toImage(float[][] maps) {
        return imageGrid != null ? imageGrid.toImage(maps[0]) : layout.toImage(maps, gridWidth);
    }

    /** Whether the features cover the image with one grid (else windows). */
    public boolean wholeImage() {
        return imageGrid != null;
    }

    /**
     * Per window, per patch: softmax over {@code scale * cos(patch, text_t)} for the T texts; returns for each
     * of the first {@code keep} texts its probability maps per window: [keep][window][patch].
     */
    float[][][] softmax(float[][] texts, float scale, int keep) {
        int np = gridWidth * gridHeight;
        float[][][] out = new float[keep][patches.length][np];
        for (int w = 0; w < patches.length; w++) {
            float[] f = patches[w];
            int window = w;
            // patches in parallel blocks: each patch's softmax is computed by one thread, the same way
            org.clipwsss.runtime.Parallel.rows(np, (long) texts.length * dim, (from, to) -> {
                double[] logits = new double[texts.length];
                for (int p = from; p < to; p++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < texts.length; t++) {
                        logits[t] = scale * dot(f, p * dim, texts[t], dim);
                        max = Math.max(max, logits[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t < texts.length; t++) {
                        logits[t] = Math.exp(logits[t] - max);
                        sum += logits[t];
                    }
                    for (int t = 0; t < keep; t++) {
                        out[t][window][p] = (float) (logits[t] / sum);
                    }
                }
            });
        }
        return out;
    }

    /**
     * The dot product of {@code a[from..from+n)} and {@code b[0..n)} in double, in four interleaved partial sums (four
     * independent additions per step instead of one chain: several times faster, the same value to double rounding).
     */
    static double dot(float[] a, int from, float[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += (double) a[from + k] * b[k];
            s1 += (double) a[from + k + 1] * b[k + 1];
            s2 += (double) a[from + k + 2] * b[k + 2];
            s3 += (double) a[from + k + 3] * b[k + 3];
        }
        for (; k < n; k++) {
            s0 += (double) a[from + k] * b[k];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
