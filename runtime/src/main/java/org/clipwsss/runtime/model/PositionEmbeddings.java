package org.clipwsss.runtime.model;

/**
 * Resamples ViT position embeddings to another patch grid the way CLIP-ES does: the class token's row is
 * kept, the G x G grid of rows is resized with PyTorch's {@code F.interpolate(mode="bicubic",
 * align_corners=False)} (cubic convolution with A = -0.75, source index {@code (dst + 0.5) * in/out - 0.5},
 * neighbours clamped to the border).
 */
public final class PositionEmbeddings {
    private static final double A = -0.75;

    private PositionEmbeddings() {
    }

    /** {@code table} is [1 + from*from, width]; the result is [1 + to*to, width]. */
    public static float[] resample(float[] table, int from, int to, int width) {
        if (table.length != (1 + from * from) * width) {
            throw new IllegalArgumentException("position table has " + table.length + " values, expected "
                    + (1 + from * from) * width);
        }
        float[] out = new float[(1 + to * to) * width];
        System.arraycopy(table, 0, out, 0, width);
        double scale = (double) from / to;
        int[][] idx = new int[to][4];
        double[][] w = new double[to][4];
        for (int o = 0; o < to; o++) {
            double src = (o + 0.5) * scale - 0.5;
            int base = (int) Math.floor(src);
            double t = src - base;
            double[] c = coefficients(t);
            for (int k = 0; k < 4; k++) {
                idx[o][k] = Math.min(Math.max(base - 1 + k, 0), from - 1);
                w[o][k] = c[k];
            }
        }
        for (int oy = 0; oy < to; oy++) {
            for (int ox = 0; ox < to; ox++) {
                int dst = (1 + oy * to + ox) * width;
                for (int ky = 0; ky < 4; ky++) {
                    for (int kx = 0; kx < 4; kx++) {
                        double weight = w[oy][ky] * w[ox][kx];
                        int src = (1 + idx[oy][ky] * from + idx[ox][kx]) * width;
                        for (int c = 0; c < width; c++) {
                            out[dst + c] += (float) (weight * table[src + c]);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Cubic convolution weights for the 4 neighbours at offsets -1, 0, 1, 2 from floor(src). */
    static double[] coefficients(double t) {
        return new double[] {cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)};
    }

    private static double cubicNear(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double cubicFar(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
