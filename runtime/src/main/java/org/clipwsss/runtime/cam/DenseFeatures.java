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
    /** Per window, the patches dimension-major, made when first needed. */
    private final float[][] columns;

    private DenseFeatures(WindowLayout layout, ImageGrid imageGrid, int gridWidth, int gridHeight, int dim, float[][] patches) {
        this.layout = layout;
        this.imageGrid = imageGrid;
        this.gridWidth = gridWidth;
        this.gridHeight = gridHeight;
        this.dim = dim;
        this.patches = patches;
        this.columns = new float[patches.length][];
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

    /** Per window (or the one grid), the unit-length patch embeddings, row-major [patch][dim] (not copied). */
    float[][] patchRows() {
        return patches;
    }

    /** Whether the features cover the image with one grid (else windows). */
    public boolean wholeImage() {
        return imageGrid != null;
    }

    /**
     * Per window, per patch: softmax over {@code scale * cos(patch, text_t)} for the T texts; returns for each
     * of the first {@code keep} texts its probability maps per window: [keep][window][patch]. The cosines are
     * accumulated in float, dimension by dimension over all patches at once ({@link #cosines}), the softmax in double.
     */
    float[][][] softmax(float[][] texts, float scale, int keep) {
        int np = gridWidth * gridHeight;
        float[][][] out = new float[keep][patches.length][np];
        for (int w = 0; w < patches.length; w++) {
            float[] byDim = transposed(w);
            float[][] cos = new float[texts.length][np];
            // blocks of four texts per pass over the features (a quarter of the memory traffic)
            int blocks = (texts.length + 3) / 4;
            org.clipwsss.runtime.Parallel.rows(blocks, (long) np * dim * 4, (from, to) -> {
                for (int b = from; b < to; b++) {
                    int t = 4 * b;
                    if (t + 4 <= texts.length) {
                        cosines4(byDim, texts, t, np, dim, cos);
                    } else {
                        for (; t < texts.length; t++) {
                            cosines(byDim, texts[t], np, dim, cos[t]);
                        }
                    }
                }
            });
            int window = w;
            org.clipwsss.runtime.Parallel.rows(np, (long) texts.length * 20, (from, to) -> {
                double[] logits = new double[texts.length];
                for (int p = from; p < to; p++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < texts.length; t++) {
                        logits[t] = (double) scale * cos[t][p];
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

    /** Window w's features dimension-major: [dim][patch] (made once, for {@link #cosines}). */
    private float[] transposed(int w) {
        float[] t = columns[w];
        if (t == null) {
            float[] f = patches[w];
            int np = f.length / dim;
            t = new float[f.length];
            for (int p = 0; p < np; p++) {
                for (int k = 0; k < dim; k++) {
                    t[k * np + p] = f[p * dim + k];
                }
            }
            // a benign race: any thread computes the same array
            columns[w] = t;
        }
        return t;
    }

    /**
     * acc[p] += sum_k columns[k][p] * text[k] for the np patches: one pass per dimension over all patches, a loop
     * the JIT turns into vector instructions (the former per-patch dot product in double was the pipeline's largest
     * Java cost). Each patch's sum is accumulated in the same order whatever the threads.
     */
    /** {@link #cosines} for texts t..t+3 in one pass over the features: each sum in the same order, so the same bits. */
    static void cosines4(float[] columns, float[][] texts, int t, int np, int dim, float[][] acc) {
        float[] a0 = acc[t];
        float[] a1 = acc[t + 1];
        float[] a2 = acc[t + 2];
        float[] a3 = acc[t + 3];
        for (int k = 0; k < dim; k++) {
            float t0 = texts[t][k];
            float t1 = texts[t + 1][k];
            float t2 = texts[t + 2][k];
            float t3 = texts[t + 3][k];
            int base = k * np;
            for (int p = 0; p < np; p++) {
                float c = columns[base + p];
                a0[p] += c * t0;
                a1[p] += c * t1;
                a2[p] += c * t2;
                a3[p] += c * t3;
            }
        }
    }

    static void cosines(float[] columns, float[] text, int np, int dim, float[] acc) {
        for (int k = 0; k < dim; k++) {
            float tk = text[k];
            int base = k * np;
            for (int p = 0; p < np; p++) {
                acc[p] += columns[base + p] * tk;
            }
        }
    }
}
