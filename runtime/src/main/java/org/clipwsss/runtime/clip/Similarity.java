package org.clipwsss.runtime.clip;

import org.clipwsss.runtime.io.NpyArray;

/** CLIP's scoring: cosine similarity of embeddings and a softmax with the logit scale. */
public final class Similarity {
    private Similarity() {
    }

    /** Cosine similarity of every row of {@code a} [N,E] with every row of {@code b} [M,E]: [N][M]. */
    public static float[][] cosine(NpyArray a, NpyArray b) {
        long[] sa = a.shape();
        long[] sb = b.shape();
        if (sa.length != 2 || sb.length != 2 || sa[1] != sb[1]) {
            throw new IllegalArgumentException("cosine needs [N,E] and [M,E], got " + java.util.Arrays.toString(sa)
                    + " and " + java.util.Arrays.toString(sb));
        }
        int e = (int) sa[1];
        float[] x = normalizeRows(a.floats(), e);
        float[] y = normalizeRows(b.floats(), e);
        int n = (int) sa[0];
        int m = (int) sb[0];
        float[][] out = new float[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < e; k++) {
                    s += (double) x[i * e + k] * y[j * e + k];
                }
                out[i][j] = (float) s;
            }
        }
        return out;
    }

    /** Rows scaled to unit L2 norm (a zero row stays zero). */
    public static float[] normalizeRows(float[] data, int width) {
        float[] out = new float[data.length];
        for (int r = 0; r < data.length / width; r++) {
            double ss = 0;
            for (int k = 0; k < width; k++) {
                ss += (double) data[r * width + k] * data[r * width + k];
            }
            double inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
            for (int k = 0; k < width; k++) {
                out[r * width + k] = (float) (data[r * width + k] * inv);
            }
        }
        return out;
    }

    /** softmax(scale * x). */
    public static float[] softmax(float[] x, float scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, scale * v);
        }
        double sum = 0;
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            e[i] = Math.exp(scale * x[i] - max);
            sum += e[i];
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }
}
