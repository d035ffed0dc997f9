package org.clipwsss.runtime.image;

/**
 * Image resizing that gives the same bytes as Pillow's {@code Image.resize} for 8-bit images (port of the
 * logic of libImaging/Resample.c): a separable, antialiasing convolution (the kernel widens by the
 * downscale factor), coefficients in 22-bit fixed point, a horizontal pass over just the rows the vertical
 * pass needs, then a vertical pass, each rounding to 8 bits; a pass is skipped when its dimension does not
 * change. RGBA is resized premultiplied, as Pillow does (RGBA to RGBa and back).
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PilResize() {
    }

    /** {@code image} resized to {@code width x height}; the same object when the size is unchanged. */
    public static Raster8 resize(Raster8 image, int width, int height, ResampleFilter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image;
        }
        if (image.channels() == 4) {
            return unpremultiply(resample(premultiply(image), width, height, filter));
        }
        return resample(image, width, height, filter);
    }

    private static Raster8 resample(Raster8 in, int width, int height, ResampleFilter filter) {
        Coefficients vertical = Coefficients.of(in.height(), height, filter);
        Raster8 out = in;
        if (width != in.width()) {
            Coefficients horizontal = Coefficients.of(in.width(), width, filter);
            int firstRow = vertical.min[0];
            int lastRow = vertical.min[height - 1] + vertical.count[height - 1];
            out = horizontalPass(in, horizontal, firstRow, lastRow - firstRow);
            vertical.shift(-firstRow);
        }
        if (height != in.height()) {
            out = verticalPass(out, vertical);
        }
        return out;
    }

    private static Raster8 horizontalPass(Raster8 in, Coefficients k, int firstRow, int rows) {
        int ch = in.channels();
        int inW = in.width();
        int outW = k.outSize;
        byte[] src = in.data();
        byte[] dst = new byte[outW * rows * ch];
        if (ch == 3) {
            // the three channels in one pass over the taps (the same integer sums, in the same order per channel)
            org.clipwsss.runtime.Parallel.rows(rows, (long) outW * k.ksize * 3, (from, to) -> horizontalRgb(src, dst, inW, k, firstRow, from, to));
            return new Raster8(outW, rows, ch, dst);
        }
        for (int y = 0; y < rows; y++) {
            int rowStart = (y + firstRow) * inW;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = k.min[xx];
                int n = k.count[xx];
                int kOff = xx * k.ksize;
                for (int c = 0; c < ch; c++) {
                    int ss = HALF;
                    for (int x = 0; x < n; x++) {
                        ss += (src[(rowStart + xmin + x) * ch + c] & 0xff) * k.fixed[kOff + x];
                    }
                    dst[(y * outW + xx) * ch + c] = clip8(ss);
                }
            }
        }
        return new Raster8(outW, rows, ch, dst);
    }

    private static Raster8 verticalPass(Raster8 in, Coefficients k) {
        int ch = in.channels();
        int rowLen = in.width() * ch;
        int outH = k.outSize;
        byte[] src = in.data();
        byte[] dst = new byte[rowLen * outH];
        org.clipwsss.runtime.Parallel.rows(outH, (long) rowLen * k.ksize, (from, to) -> verticalRows(src, dst, rowLen, k, from, to));
        return new Raster8(in.width(), outH, ch, dst);
    }

    private static void verticalRows(byte[] src, byte[] dst, int rowLen, Coefficients k, int from, int to) {
        int[] acc = new int[rowLen];
        for (int yy = from; yy < to; yy++) {
            int ymin = k.min[yy];
            int n = k.count[yy];
            int kOff = yy * k.ksize;
            // row by row over the taps (sequential memory, vectorisable); integer sums, so the order does not matter
            java.util.Arrays.fill(acc, HALF);
            for (int y = 0; y < n; y++) {
                int w = k.fixed[kOff + y];
                int row = (ymin + y) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    acc[i] += (src[row + i] & 0xff) * w;
                }
            }
            int o = yy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                dst[o + i] = clip8(acc[i]);
            }
        }
    }

    private static void horizontalRgb(byte[] src, byte[] dst, int inW, Coefficients k, int firstRow, int from, int to) {
        int outW = k.outSize;
        for (int y = from; y < to; y++) {
            int rowStart = (y + firstRow) * inW;
            for (int xx = 0; xx < outW; xx++) {
                int base = (rowStart + k.min[xx]) * 3;
                int n = k.count[xx];
                int kOff = xx * k.ksize;
                int s0 = HALF;
                int s1 = HALF;
                int s2 = HALF;
                for (int x = 0; x < n; x++) {
                    int w = k.fixed[kOff + x];
                    int i = base + 3 * x;
                    s0 += (src[i] & 0xff) * w;
                    s1 += (src[i + 1] & 0xff) * w;
                    s2 += (src[i + 2] & 0xff) * w;
                }
                int o = (y * outW + xx) * 3;
                dst[o] = clip8(s0);
                dst[o + 1] = clip8(s1);
                dst[o + 2] = clip8(s2);
            }
        }
    }

    private static byte clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** RGBA to premultiplied RGBa, as Pillow's rgbA2rgba (MULDIV255). */
    static Raster8 premultiply(Raster8 rgba) {
        byte[] src = rgba.data();
        byte[] dst = new byte[src.length];
        for (int i = 0; i < src.length; i += 4) {
            int a = src[i + 3] & 0xff;
            for (int c = 0; c < 3; c++) {
                int t = (src[i + c] & 0xff) * a + 128;
                dst[i + c] = (byte) (((t >> 8) + t) >> 8);
            }
            dst[i + 3] = (byte) a;
        }
        return new Raster8(rgba.width(), rgba.height(), 4, dst);
    }

    /** Premultiplied RGBa back to RGBA, as Pillow's rgba2rgbA (truncating division, clipped to 255). */
    static Raster8 unpremultiply(Raster8 rgba) {
        byte[] src = rgba.data();
        byte[] dst = new byte[src.length];
        for (int i = 0; i < src.length; i += 4) {
            int a = src[i + 3] & 0xff;
            for (int c = 0; c < 3; c++) {
                int v = src[i + c] & 0xff;
                dst[i + c] = (byte) (a == 0 || a == 255 ? v : Math.min(255, 255 * v / a));
            }
            dst[i + 3] = (byte) a;
        }
        return new Raster8(rgba.width(), rgba.height(), 4, dst);
    }

    /** Per output pixel: first input index, number of taps, and fixed-point weights (Pillow's precompute_coeffs). */
    private static final class Coefficients {
        final int outSize;
        final int ksize;
        final int[] min;
        final int[] count;
        final int[] fixed;

        private Coefficients(int outSize, int ksize) {
            this.outSize = outSize;
            this.ksize = ksize;
            this.min = new int[outSize];
            this.count = new int[outSize];
            this.fixed = new int[outSize * ksize];
        }

        static Coefficients of(int inSize, int outSize, ResampleFilter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            Coefficients k = new Coefficients(outSize, (int) Math.ceil(support) * 2 + 1);
            double invFilterScale = 1.0 / filterScale; // multiplied, not divided, as Pillow does
            double[] w = new double[k.ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = filter.weight((x + xmin - center + 0.5) * invFilterScale);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0.0 ? w[x] / sum : w[x];
                    k.fixed[xx * k.ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS)
                            : 0.5 + v * (1 << PRECISION_BITS));
                }
                k.min[xx] = xmin;
                k.count[xx] = xmax;
            }
            return k;
        }

        void shift(int delta) {
            for (int i = 0; i < outSize; i++) {
                min[i] += delta;
            }
        }
    }
}
