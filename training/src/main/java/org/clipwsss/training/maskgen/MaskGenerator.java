package org.clipwsss.training.maskgen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.clipwsss.runtime.cam.FloatMaps;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.io.NpyArray;

/**
 * The SemPLeS mask generator's head on frozen dense patch features F [B,P,E] (unit rows): two 1x1 layers,
 * {@code h = relu(F W1^T + b1)}, {@code logits = h W2^T + b2}, sigmoid, then bilinear upsampling from the G x G
 * patch grid to S x S as a constant matrix product (PyTorch's bilinear, align_corners=False).
 */
public record MaskGenerator(int dim, int hidden, int classes, float[] w1, float[] b1, float[] w2, float[] b2) {
    public static final int HIDDEN = 64;
    public static final List<String> NAMES = List.of("head.fc1.weight", "head.fc1.bias", "head.fc2.weight", "head.fc2.bias");

    public static Map<String, long[]> shapes(int e, int h, int k) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(NAMES.get(0), new long[] {h, e});
        m.put(NAMES.get(1), new long[] {h});
        m.put(NAMES.get(2), new long[] {k, h});
        m.put(NAMES.get(3), new long[] {k});
        return m;
    }

    public static int size(int e, int h, int k) {
        return h * e + h + k * h + k;
    }

    /** PyTorch-style uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights and biases from {@code seed}. */
    public static MaskGenerator init(int e, int h, int k, long seed) {
        Random r = new Random(seed);
        return new MaskGenerator(e, h, k, uniform(r, h * e, e), uniform(r, h, e), uniform(r, k * h, h), uniform(r, k, h));
    }

    private static float[] uniform(Random r, int n, int fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (r.nextFloat() * 2 - 1) * bound;
        }
        return a;
    }

    public float[] flat() {
        float[] p = new float[size(dim, hidden, classes)];
        int off = 0;
        for (float[] a : new float[][] {w1, b1, w2, b2}) {
            System.arraycopy(a, 0, p, off, a.length);
            off += a.length;
        }
        return p;
    }

    public static MaskGenerator fromFlat(int e, int h, int k, float[] p) {
        int o1 = h * e;
        int o2 = o1 + h;
        int o3 = o2 + k * h;
        return new MaskGenerator(e, h, k, java.util.Arrays.copyOfRange(p, 0, o1), java.util.Arrays.copyOfRange(p, o1, o2),
                java.util.Arrays.copyOfRange(p, o2, o3), java.util.Arrays.copyOfRange(p, o3, o3 + k));
    }

    public Map<String, NpyArray> tensors() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put(NAMES.get(0), NpyArray.ofFloats(w1, hidden, dim));
        m.put(NAMES.get(1), NpyArray.ofFloats(b1, hidden));
        m.put(NAMES.get(2), NpyArray.ofFloats(w2, classes, hidden));
        m.put(NAMES.get(3), NpyArray.ofFloats(b2, classes));
        return m;
    }

    public static MaskGenerator fromTensors(int e, int h, int k, Map<String, NpyArray> t) {
        return new MaskGenerator(e, h, k, t.get(NAMES.get(0)).toFloats(), t.get(NAMES.get(1)).toFloats(),
                t.get(NAMES.get(2)).toFloats(), t.get(NAMES.get(3)).toFloats());
    }

    /** The head's parameter values in {@link #NAMES} order, as initializers (for export). */
    public Map<String, String> asInitializers(GraphBuilder g) {
        Map<String, String> in = new LinkedHashMap<>();
        tensors().forEach((n, a) -> in.put(n, g.initializer(Initializer.floats(n, a.toFloats(), a.shape()))));
        return in;
    }

    /** The sigmoid maps at patch resolution [B,P,K] from features {@code f} [B,P,E]; {@code in}: the four parameters. */
    public static String patchMaps(GraphBuilder g, String f, Map<String, String> in) {
        String h = g.op("Relu", List.of(g.add(g.matMul(f, g.transpose(in.get(NAMES.get(0)), 1, 0)), in.get(NAMES.get(1)))), Map.of());
        String logits = g.add(g.matMul(h, g.transpose(in.get(NAMES.get(2)), 1, 0)), in.get(NAMES.get(3)));
        return g.sigmoid(logits);
    }

    /**
     * Class {@code cls}'s map of one image in plain Java: the head on the G x G patch features {@code feats} (unit
     * rows, starting at {@code offset}), sigmoid, bilinear upsampling to S x S; the same values as the graphs.
     */
    public float[] classMap(float[] feats, int offset, int grid, int cls, int size) {
        int patches = grid * grid;
        float[] m = new float[patches];
        double[] h = new double[hidden];
        for (int q = 0; q < patches; q++) {
            int f = offset + q * dim;
            for (int j = 0; j < hidden; j++) {
                double acc = b1[j];
                for (int i = 0; i < dim; i++) {
                    acc += (double) w1[j * dim + i] * feats[f + i];
                }
                h[j] = Math.max(0, acc);
            }
            double logit = b2[cls];
            for (int j = 0; j < hidden; j++) {
                logit += (double) w2[cls * hidden + j] * h[j];
            }
            m[q] = (float) (1 / (1 + Math.exp(-logit)));
        }
        return FloatMaps.resizeBilinear(m, grid, grid, size, size);
    }

    /** [B,P,K] patch maps -> [B,K,S*S] by the constant matrix U^T [G*G, S*S]. */
    public static String upsample(GraphBuilder g, String patchMaps, int grid, int size) {
        String ut = g.initializer(Initializer.floats("upsample_t", upsampleTransposed(grid, size), (long) grid * grid, (long) size * size));
        return g.matMul(g.transpose(patchMaps, 0, 2, 1), ut);
    }

    /**
     * U^T [G*G, S*S]: column q of U^T (output pixel q) holds the bilinear weights of the G x G grid, so that
     * {@code maps @ U^T} equals {@link FloatMaps#resizeBilinear} of each map (built by resizing unit impulses).
     */
    public static float[] upsampleTransposed(int grid, int size) {
        int gg = grid * grid;
        float[] ut = new float[gg * size * size];
        float[] impulse = new float[gg];
        for (int j = 0; j < gg; j++) {
            impulse[j] = 1;
            float[] r = FloatMaps.resizeBilinear(impulse, grid, grid, size, size);
            System.arraycopy(r, 0, ut, j * size * size, r.length);
            impulse[j] = 0;
        }
        return ut;
    }
}
