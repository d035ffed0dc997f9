package org.clipwsss.training.maskgen;

import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.io.NpyArray;

/**
 * The frozen ClearCLIP patch features (unit rows, [P*E] per image) of a data set's images, for the mask generator's
 * steps, warm start and stage b. Each image's features are computed alone, so a value never depends on which batch
 * asked for it (a resumed run sees the same numbers), and kept while they fit in the budget; past it, later
 * images are computed again when asked for, and memory stays bounded on a large set.
 */
public final class FeatureCache {
    /** Default budget: a quarter of the heap, at most 1 GiB. */
    public static final long DEFAULT_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);

    private final ClipModel model;
    private final long budgetFloats;
    private MaskGeneratorTrainer.Images images;
    private float[][] kept;
    private long keptFloats;

    public FeatureCache(ClipModel model, long budgetBytes) {
        this.model = model;
        this.budgetFloats = budgetBytes / Float.BYTES;
    }

    /** The features of images {@code which} of {@code data}, concatenated [B,P,E]. */
    public synchronized float[] of(MaskGeneratorTrainer.Data data, int[] which) {
        if (images != data.images()) {
            images = data.images();
            kept = new float[data.n()][];
            keptFloats = 0;
        }
        float[] out = null;
        for (int i = 0; i < which.length; i++) {
            float[] f = kept[which[i]];
            if (f == null) {
                int s = data.size();
                f = Similarity.normalizeRows(model.denseEmbeds(NpyArray.ofFloats(images.pixels(which[i]), 1, 3, s, s),
                        ClipModel.Dense.CLEARCLIP).floats(), model.config().projectionDim());
                if (keptFloats + f.length <= budgetFloats) {
                    kept[which[i]] = f;
                    keptFloats += f.length;
                }
            }
            if (out == null) {
                out = new float[which.length * f.length];
            }
            System.arraycopy(f, 0, out, i * f.length, f.length);
        }
        return out == null ? new float[0] : out;
    }
}
