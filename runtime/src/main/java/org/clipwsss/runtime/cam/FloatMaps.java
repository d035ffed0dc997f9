package org.clipwsss.runtime.cam;

/** Operations on single-channel float maps stored row-major (width * height). */
public final class FloatMaps {
    private FloatMaps() {
    }

    /**
     * Bilinear resize with PyTorch's {@code F.interpolate(mode="bilinear", align_corners=False)} sampling
     * (source {@code (dst + 0.5) * in/out - 0.5}, clamped at 0, neighbours clamped to the border).
     */
    public static float[] resizeBilinear(float[] src, int w, int h, int nw, int nh) {
        if (w == nw && h == nh) {
            return src.clone();
        }
        int[] x0 = new int[nw];
        int[] x1 = new int[nw];
        float[] fx = new float[nw];
        axis(w, nw, x0, x1, fx);
        int[] y0 = new int[nh];
        int[] y1 = new int[nh];
        float[] fy = new float[nh];
        axis(h, nh, y0, y1, fy);
        // each source row is interpolated along x once (rows[y] = what the per-pixel formula calls top or bottom), then
        // each output row is one lerp of two such rows: the same arithmetic as per pixel, so the same bits
        float[][] rows = new float[h][];
        float[] out = new float[nw * nh];
        for (int y = 0; y < nh; y++) {
            float[] top = row(src, w, y0[y], rows, x0, x1, fx);
            float[] bottom = row(src, w, y1[y], rows, x0, x1, fx);
            float wy = fy[y];
            int o = y * nw;
            for (int x = 0; x < nw; x++) {
                out[o + x] = top[x] + (bottom[x] - top[x]) * wy;
            }
        }
        return out;
    }

    /** Source row r interpolated along x (made once, kept in {@code rows}). */
    private static float[] row(float[] src, int w, int r, float[][] rows, int[] x0, int[] x1, float[] fx) {
        float[] row = rows[r];
        if (row == null) {
            int base = r * w;
            row = new float[x0.length];
            for (int x = 0; x < row.length; x++) {
                float a = src[base + x0[x]];
                row[x] = a + (src[base + x1[x]] - a) * fx[x];
            }
            rows[r] = row;
        }
        return row;
    }

    private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double s = Math.max((o + 0.5) * scale - 0.5, 0);
            int a = Math.min((int) s, in - 1);
            i0[o] = a;
            i1[o] = Math.min(a + 1, in - 1);
            frac[o] = (float) (s - a);
        }
    }

    /** The window (left, top, cw, ch) of a map; values outside the map are 0. */
    public static float[] crop(float[] src, int w, int h, int left, int top, int cw, int ch) {
        float[] out = new float[cw * ch];
        for (int y = 0; y < ch; y++) {
            int sy = top + y;
            if (sy < 0 || sy >= h) {
                continue;
            }
            for (int x = 0; x < cw; x++) {
                int sx = left + x;
                if (sx >= 0 && sx < w) {
                    out[y * cw + x] = src[sy * w + sx];
                }
            }
        }
        return out;
    }

    /** Rescales to [0,1] in place (min to 0, max to 1); a constant map becomes all zeros. */
    public static float[] normalizeMinMax(float[] m) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max - min;
        for (int i = 0; i < m.length; i++) {
            m[i] = range > 0 ? (m[i] - min) / range : 0f;
        }
        return m;
    }

    /** Divides by the maximum in place (a map whose maximum is not positive is left as it is). */
    public static float[] normalizeMax(float[] m) {
        float max = 0;
        for (float v : m) {
            max = Math.max(max, v);
        }
        if (max > 0) {
            for (int i = 0; i < m.length; i++) {
                m[i] /= max;
            }
        }
        return m;
    }

    /** Clamps to [0,1] in place; NaN becomes 0. */
    public static float[] clamp01(float[] m) {
        for (int i = 0; i < m.length; i++) {
            float v = m[i];
            m[i] = v > 0 ? Math.min(v, 1f) : 0f;
        }
        return m;
    }
}
