package org.clipwsss.runtime.cam;

import java.util.List;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;

/**
 * An image's training-free dense CLIP embeddings, window by window (unit-length rows), and the layout that
 * maps patch values back to the image. They do not depend on any prompt, so one image's features serve
 * every CAM and refinement computed for it.
 */
public final class DenseFeatures {
    private final WindowLayout layout;
    private final int grid;
    private final int dim;
    private final float[][] patches;

    DenseFeatures(WindowLayout layout, int grid, int dim, float[][] patches) {
        this.layout = layout;
        this.grid = grid;
        this.dim = dim;
        this.patches = patches;
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
        return new DenseFeatures(layout, (int) Math.round(Math.sqrt(p)), e, windows);
    }

    /** The same features passed through trained POLE image adapters (unit-length rows again). */
    public DenseFeatures adapted(org.clipwsss.runtime.clip.Adapters adapters) {
        float[][] out = new float[patches.length][];
        for (int w = 0; w < out.length; w++) {
            out[w] = adapters.adaptImageRows(patches[w]);
        }
        return new DenseFeatures(layout, grid, dim, out);
    }

    public WindowLayout layout() {
        return layout;
    }

    public int grid() {
        return grid;
    }

    /**
     * Per window, per patch: softmax over {@code scale * cos(patch, text_t)} for the T texts; returns for each
     * of the first {@code keep} texts its probability maps per window: [keep][window][patch].
     */
    float[][][] softmax(float[][] texts, float scale, int keep) {
        int np = grid * grid;
        float[][][] out = new float[keep][patches.length][np];
        double[] logits = new double[texts.length];
        for (int w = 0; w < patches.length; w++) {
            float[] f = patches[w];
            for (int p = 0; p < np; p++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < texts.length; t++) {
                    double dot = 0;
                    float[] txt = texts[t];
                    for (int k = 0; k < dim; k++) {
                        dot += (double) f[p * dim + k] * txt[k];
                    }
                    logits[t] = scale * dot;
                    max = Math.max(max, logits[t]);
                }
                double sum = 0;
                for (int t = 0; t < texts.length; t++) {
                    logits[t] = Math.exp(logits[t] - max);
                    sum += logits[t];
                }
                for (int t = 0; t < keep; t++) {
                    out[t][w][p] = (float) (logits[t] / sum);
                }
            }
        }
        return out;
    }
}
