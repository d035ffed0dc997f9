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
        return resample(table, from, to, to, width);
    }

    /**
     * Bicubic (PyTorch's, align_corners=False) to a {@code toHeight x toWidth} grid of any aspect: {@code table} is
     * [1 + from*from, width]; the result is [1 + toHeight*toWidth, width], the class token's row first, unchanged.
     */
    public static float[] resample(float[] table, int from, int toHeight, int toWidth, int width) {
        check(table, from, width);
        int[][] ix = new int[toWidth][];
        double[][] wx = new double[toWidth][];
        cubicAxis(from, toWidth, ix, wx);
        int[][] iy = new int[toHeight][];
        double[][] wy = new double[toHeight][];
        cubicAxis(from, toHeight, iy, wy);
        return separable(table, from, toHeight, toWidth, width, iy, wy, ix, wx);
    }

    /**
     * Bilinear (PyTorch's {@code F.upsample(mode='bilinear')}, align_corners=False: source {@code (dst + 0.5) *
     * in/out - 0.5} clamped at 0, the upper neighbour clamped to the border), as CLIP-ES interpolates its position
     * embeddings to each image's grid: [1 + from*from, width] -> [1 + toHeight*toWidth, width].
     */
    public static float[] bilinear(float[] table, int from, int toHeight, int toWidth, int width) {
        check(table, from, width);
        int[][] ix = new int[toWidth][];
        double[][] wx = new double[toWidth][];
        linearAxis(from, toWidth, ix, wx);
        int[][] iy = new int[toHeight][];
        double[][] wy = new double[toHeight][];
        linearAxis(from, toHeight, iy, wy);
        return separable(table, from, toHeight, toWidth, width, iy, wy, ix, wx);
    }

    private static void check(float[] table, int from, int width) {
        if (table.length != (1 + from * from) * width) {
            throw new IllegalArgumentException("position table has " + table.length + " values, expected "
                    + (1 + from * from) * width);
        }
    }

    private static void cubicAxis(int from, int to, int[][] idx, double[][] w) {
        double scale = (double) from / to;
        for (int o = 0; o < to; o++) {
            double src = (o + 0.5) * scale - 0.5;
            int base = (int) Math.floor(src);
            double[] c = coefficients(src - base);
            idx[o] = new int[4];
            w[o] = new double[4];
            for (int k = 0; k < 4; k++) {
                idx[o][k] = Math.min(Math.max(base - 1 + k, 0), from - 1);
                w[o][k] = c[k];
            }
        }
    }

    private static void linearAxis(int from, int to, int[][] idx, double[][] w) {
        float scale = (float) from / to;
        for (int o = 0; o < to; o++) {
            float src = Math.max(scale * (o + 0.5f) - 0.5f, 0f);
            int i0 = (int) src;
            int i1 = i0 < from - 1 ? i0 + 1 : i0;
            float lambda = src - i0;
            idx[o] = new int[] {i0, i1};
            w[o] = new double[] {1f - lambda, lambda};
        }
    }

    private static float[] separable(float[] table, int from, int toHeight, int toWidth, int width, int[][] iy, double[][] wy,
            int[][] ix, double[][] wx) {
        float[] out = new float[(1 + toHeight * toWidth) * width];
        System.arraycopy(table, 0, out, 0, width);
        for (int oy = 0; oy < toHeight; oy++) {
            for (int ox = 0; ox < toWidth; ox++) {
                int dst = (1 + oy * toWidth + ox) * width;
                for (int ky = 0; ky < iy[oy].length; ky++) {
                    for (int kx = 0; kx < ix[ox].length; kx++) {
                        double weight = wy[oy][ky] * wx[ox][kx];
                        int src = (1 + iy[oy][ky] * from + ix[ox][kx]) * width;
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
