package org.clipwsss.training.prompts;

import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;

/**
 * What background-prompt learning trains on: N normalised images X [N,3,S,S], their class masks M [N,K,S,S]
 * (from the pipeline's CAMs, frozen) and image-level targets Y [N,K] (1 where the class is present).
 */
public record PromptData(int n, int k, int size, float[] pixels, float[] masks, float[] targets) {

    /** Reads the three .npy files of the train-prompts command, checking their shapes against each other. */
    public static PromptData load(Path x, Path m, Path y, int size, List<String> classes) {
        NpyArray px = Npy.read(x);
        long[] s = px.shape();
        if (px.dtype() != NpyArray.DType.FLOAT32 || s.length != 4 || s[1] != 3 || s[2] != size || s[3] != size) {
            throw ClipWsssException.file(x, "pixels must be float32 [N,3," + size + "," + size + "], are " + px.dtype() + " "
                    + java.util.Arrays.toString(s));
        }
        int n = (int) s[0];
        int k = classes.size();
        NpyArray masks = Npy.read(m).requireShape(m, "masks", n, k, size, size);
        NpyArray targets = Npy.read(y).requireShape(y, "targets", n, k);
        float[] t = targets.toFloats();
        for (float v : t) {
            if (v != 0 && v != 1) {
                throw ClipWsssException.file(y, "targets must be 0 or 1, found " + v);
            }
        }
        return new PromptData(n, k, size, px.floats(), masks.toFloats(), t);
    }

    /**
     * Refuses data in which some class has no image: its prompts (or its share of a model) would not learn
     * anything. The message names the classes.
     */
    public static void requireEveryClass(List<String> classes, int[][] pairs) {
        boolean[] seen = new boolean[classes.size()];
        for (int[] p : pairs) {
            seen[p[1]] = true;
        }
        List<String> missing = new java.util.ArrayList<>();
        for (int c = 0; c < seen.length; c++) {
            if (!seen[c]) {
                missing.add(classes.get(c));
            }
        }
        if (pairs.length > 0 && !missing.isEmpty()) {
            throw new ClipWsssException("class" + (missing.size() > 1 ? "es " : " ") + String.join(", ", missing)
                    + " missing from the data: no image has " + (missing.size() > 1 ? "them" : "it")
                    + "; leave " + (missing.size() > 1 ? "them" : "it") + " out of the classes or add images");
        }
    }

    /** (image, class) pairs where the class is present, as {image, class}. */
    public int[][] pairs() {
        int count = 0;
        for (float v : targets) {
            count += v > 0 ? 1 : 0;
        }
        int[][] out = new int[count][];
        int i = 0;
        for (int img = 0; img < n; img++) {
            for (int c = 0; c < k; c++) {
                if (targets[img * k + c] > 0) {
                    out[i++] = new int[] {img, c};
                }
            }
        }
        return out;
    }

    /** (1 - M[img, cls]) * X[img]: the image with the class masked out, [3*S*S]. */
    public float[] background(int img, int cls) {
        int plane = size * size;
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = (1 - masks[(img * k + cls) * plane + i]) * pixels[(img * 3 + c) * plane + i];
            }
        }
        return out;
    }
}
