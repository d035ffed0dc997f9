package org.clipwsss.runtime.crf;

import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.image.Raster8;

/**
 * CLIP-ES's CRF post-processing of CAMs into a pseudo mask ({@code eval_cam_with_crf.py}), computed as pydensecrf
 * does:
 * <ol>
 * <li>the colour image as CLIP-ES feeds it to the CRF: B,G,R bytes minus the Caffe mean (104.008, 116.669, 122.675)
 * cast back to bytes with numpy's wrapping cast, {@code ((int) (c - m)) & 0xFF} ({@link #prepareColour});</li>
 * <li>background {@code (1 - max_k cam_k)^power} in front of the K CAMs, unary {@code -log(clip(P, 1e-5, 1))}
 * ({@link #unary});</li>
 * <li>a {@link DenseCrf} with a smoothness kernel on (x/sxy, y/sxy) and an appearance kernel on
 * (x/sxy, y/sxy, B'/srgb, G'/srgb, R'/srgb), Potts, symmetric normalisation, mean-field;</li>
 * <li>label = argmax (first on ties), 255 where max Q &lt; confidence.</li>
 * </ol>
 */
public final class ClipEsCrf {
    /** The Caffe mean CLIP-ES subtracts, in B, G, R order. */
    private static final float[] MEAN_BGR = {104.008f, 116.669f, 122.675f};
    /** The smallest probability before the log (pydensecrf's {@code unary_from_softmax} clip). */
    private static final float CLIP = 1e-5f;
    /** The label of pixels whose largest marginal is below the confidence. */
    public static final int UNCERTAIN = 255;

    private ClipEsCrf() {
    }

    /**
     * The CRF's settings; {@link #clipEs()} gives CLIP-ES's.
     *
     * @param bgPower         exponent of the background score {@code (1 - max cam)}
     * @param iterations      mean-field iterations
     * @param gaussianSxy     spatial standard deviation of the smoothness kernel, pixels
     * @param gaussianWeight  Potts weight of the smoothness kernel
     * @param bilateralSxy    spatial standard deviation of the appearance kernel, pixels
     * @param bilateralSrgb   colour standard deviation of the appearance kernel, byte levels
     * @param bilateralWeight Potts weight of the appearance kernel
     * @param confidence      pixels whose largest marginal is below this get {@link #UNCERTAIN}
     */
    public record Settings(float bgPower, int iterations, float gaussianSxy, float gaussianWeight, float bilateralSxy,
            float bilateralSrgb, float bilateralWeight, float confidence) {

        /**
         * @throws ClipWsssException for a negative or non-finite power or weight, negative iterations, a
         *                           non-positive or non-finite standard deviation, or a confidence outside [0, 1]
         */
        public Settings {
            require(Float.isFinite(bgPower) && bgPower > 0, "the background power must be positive, got " + bgPower);
            require(iterations >= 0, "iterations must be >= 0, got " + iterations);
            require(Float.isFinite(gaussianSxy) && gaussianSxy > 0, "the smoothness sxy must be positive, got " + gaussianSxy);
            require(Float.isFinite(gaussianWeight) && gaussianWeight >= 0,
                    "the smoothness weight must be >= 0, got " + gaussianWeight);
            require(Float.isFinite(bilateralSxy) && bilateralSxy > 0, "the appearance sxy must be positive, got " + bilateralSxy);
            require(Float.isFinite(bilateralSrgb) && bilateralSrgb > 0,
                    "the appearance srgb must be positive, got " + bilateralSrgb);
            require(Float.isFinite(bilateralWeight) && bilateralWeight >= 0,
                    "the appearance weight must be >= 0, got " + bilateralWeight);
            require(confidence >= 0 && confidence <= 1, "the confidence must be in [0, 1], got " + confidence);
        }

        /** CLIP-ES's: power 1, 10 iterations, smoothness sxy 1 weight 3, appearance sxy 67 srgb 3 weight 4, 0.95. */
        public static Settings clipEs() {
            return new Settings(1f, 10, 1f, 3f, 67f, 3f, 4f, 0.95f);
        }

        public Settings withBgPower(float v) {
            return new Settings(v, iterations, gaussianSxy, gaussianWeight, bilateralSxy, bilateralSrgb, bilateralWeight, confidence);
        }

        public Settings withIterations(int v) {
            return new Settings(bgPower, v, gaussianSxy, gaussianWeight, bilateralSxy, bilateralSrgb, bilateralWeight, confidence);
        }

        public Settings withGaussian(float sxy, float weight) {
            return new Settings(bgPower, iterations, sxy, weight, bilateralSxy, bilateralSrgb, bilateralWeight, confidence);
        }

        public Settings withBilateral(float sxy, float srgb, float weight) {
            return new Settings(bgPower, iterations, gaussianSxy, gaussianWeight, sxy, srgb, weight, confidence);
        }

        public Settings withConfidence(float v) {
            return new Settings(bgPower, iterations, gaussianSxy, gaussianWeight, bilateralSxy, bilateralSrgb, bilateralWeight, v);
        }

        private static void require(boolean ok, String problem) {
            if (!ok) {
                throw new ClipWsssException("CRF settings: " + problem);
            }
        }
    }

    /**
     * The CRF's output for a {@code width x height} image with K CAMs.
     *
     * @param prob  [K+1][H*W] marginals Q, row-major pixels; channel 0 is background, channel k the k-th CAM
     * @param label [H*W] argmax of Q (0 background, k the k-th CAM), {@link #UNCERTAIN} (as an unsigned byte)
     *              where max Q &lt; confidence
     */
    public record Result(int width, int height, float[][] prob, byte[] label) {
        /**
         * The labels as a mask of class values: 0 background, {@code classIndex[k - 1]} for the k-th CAM, and the
         * uncertain pixels {@link org.clipwsss.runtime.mask.LabelImage#IGNORE}.
         */
        public org.clipwsss.runtime.mask.LabelImage mask(int[] classIndex) {
            byte[] out = new byte[label.length];
            for (int i = 0; i < out.length; i++) {
                int k = label[i] & 0xFF;
                out[i] = (byte) (k == 0 ? 0 : k == UNCERTAIN ? org.clipwsss.runtime.mask.LabelImage.IGNORE : classIndex[k - 1]);
            }
            return new org.clipwsss.runtime.mask.LabelImage(width, height, out);
        }
    }

    /**
     * Seconds spent in each stage of a run.
     *
     * @param prepareSeconds   the colour bytes and the unary
     * @param latticeSeconds   building both lattices, with their normalisation pass
     * @param inferenceSeconds the mean-field iterations and the labels
     */
    public record Timings(double prepareSeconds, double latticeSeconds, double inferenceSeconds) {
        public double totalSeconds() {
            return prepareSeconds + latticeSeconds + inferenceSeconds;
        }
    }

    /** A result with the time each stage took. */
    public record Timed(Result result, Timings timings) {
    }

    /** Runs CLIP-ES's CRF with {@link Settings#clipEs()}. */
    public static Result run(Raster8 image, float[][] cams) {
        return run(image, cams, Settings.clipEs());
    }

    /**
     * Runs CLIP-ES's CRF.
     *
     * @param image 8-bit image, 1 (gray: replicated), 3 (R,G,B) or 4 channels (alpha dropped)
     * @param cams  [K][H*W] CAMs (K ≥ 1), row-major pixels, normally in [0, 1]
     * @throws ClipWsssException for no CAMs, a CAM of another size than the image, a NaN or infinite value, or an
     *                           image too large for the lattice's 16-bit coordinates with these settings (more
     *                           than about 12000 pixels across with a smoothness sxy of 1)
     */
    public static Result run(Raster8 image, float[][] cams, Settings settings) {
        return runTimed(image, cams, settings).result();
    }

    /** As {@link #run(Raster8, float[][], Settings)}, timing each stage. */
    public static Timed runTimed(Raster8 image, float[][] cams, Settings settings) {
        long t0 = System.nanoTime();
        int w = image.width();
        int h = image.height();
        float[] unary = unary(cams, w, h, settings.bgPower());
        byte[] bgr = prepareColour(image);
        long t1 = System.nanoTime();
        int labels = cams.length + 1;
        DenseCrf crf = new DenseCrf(w * h, labels).setUnary(unary);
        PermutohedralLattice smoothness;
        PermutohedralLattice appearance;
        try {
            smoothness = PermutohedralLattice.build(smoothnessFeatures(w, h, settings.gaussianSxy()), 2);
            appearance = PermutohedralLattice.build(appearanceFeatures(w, h, bgr, settings.bilateralSxy(),
                    settings.bilateralSrgb()), 5);
        } catch (IllegalArgumentException e) {
            throw new ClipWsssException("CRF: the " + w + "x" + h + " image does not fit the lattice with these"
                    + " settings (" + e.getMessage() + "); use larger standard deviations or a smaller image", e);
        }
        crf.addPairwise(smoothness, settings.gaussianWeight(), DenseCrf.Normalization.SYMMETRIC);
        crf.addPairwise(appearance, settings.bilateralWeight(), DenseCrf.Normalization.SYMMETRIC);
        long t2 = System.nanoTime();
        float[] q = crf.inferenceFlat(settings.iterations());
        Result r = result(w, h, labels, q, settings.confidence());
        long t3 = System.nanoTime();
        return new Timed(r, new Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9));
    }

    /**
     * The bytes CLIP-ES feeds to the appearance kernel: per pixel B', G', R' with
     * {@code X' = ((int) (X - mean_X)) & 0xFF} ({@link #prepareByte}), pixel-major {@code [(y * W + x) * 3 + c]}.
     */
    public static byte[] prepareColour(Raster8 image) {
        Raster8 rgb = image.toRgb();
        byte[] src = rgb.data();
        int n = rgb.width() * rgb.height();
        byte[][] lut = new byte[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (byte) prepareByte(c, v);
            }
        }
        byte[] out = new byte[n * 3];
        for (int i = 0; i < n; i++) {
            out[3 * i] = lut[0][src[3 * i + 2] & 0xff];
            out[3 * i + 1] = lut[1][src[3 * i + 1] & 0xff];
            out[3 * i + 2] = lut[2][src[3 * i] & 0xff];
        }
        return out;
    }

    /**
     * The byte for value {@code value} (0..255) of channel {@code channelBgr} (0 = B, 1 = G, 2 = R): numpy's
     * {@code float32(value) - mean} cast to uint8 on x86-64, truncating toward zero and keeping the low 8 bits.
     */
    public static int prepareByte(int channelBgr, int value) {
        return ((int) ((float) value - MEAN_BGR[channelBgr])) & 0xFF;
    }

    /**
     * The unary [K+1][N] flattened label-major ({@code [l * N + i]}): {@code -log(clip(P, 1e-5, 1))} in float32,
     * with P = (background {@code (1 - max_k cam_k)^bgPower}, cam_1, ..., cam_K).
     *
     * @throws ClipWsssException for no CAMs, a CAM of another length than {@code width * height}, or a NaN or
     *                           infinite value
     */
    public static float[] unary(float[][] cams, int width, int height, float bgPower) {
        int pixels = Math.multiplyExact(width, height);
        if (cams.length == 0) {
            throw new ClipWsssException("CRF: no CAMs (at least one class is needed)");
        }
        if (cams.length >= UNCERTAIN) {
            throw new ClipWsssException("CRF: " + cams.length + " CAMs but at most " + (UNCERTAIN - 1)
                    + " fit in a byte label");
        }
        for (int k = 0; k < cams.length; k++) {
            if (cams[k].length != pixels) {
                throw new ClipWsssException("CRF: CAM " + k + " has " + cams[k].length + " values but the "
                        + width + "x" + height + " image has " + pixels + " pixels");
            }
            for (int i = 0; i < pixels; i++) {
                float v = cams[k][i];
                if (!Float.isFinite(v)) {
                    throw new ClipWsssException("CRF: CAM " + k + " is " + v + " at x = " + i % width + ", y = "
                            + i / width);
                }
            }
        }
        int m = cams.length + 1;
        float[] u = new float[m * pixels];
        for (int i = 0; i < pixels; i++) {
            float max = cams[0][i];
            for (int k = 1; k < cams.length; k++) {
                max = Math.max(max, cams[k][i]);
            }
            float bg = 1f - max;
            if (bgPower != 1f) {
                bg = (float) Math.pow(bg, bgPower);
            }
            u[i] = negLog(bg);
            for (int k = 0; k < cams.length; k++) {
                u[(k + 1) * pixels + i] = negLog(cams[k][i]);
            }
        }
        return u;
    }

    /** {@code -log(clip(p, 1e-5, 1))}; NaN (a negative background to a fractional power) counts as 0. */
    private static float negLog(float p) {
        float c = p >= CLIP ? (p > 1f ? 1f : p) : CLIP;
        return (float) -Math.log(c);
    }

    /** Smoothness features (x/sxy, y/sxy) per pixel, float32 divisions as densecrf. */
    public static float[] smoothnessFeatures(int width, int height, float sxy) {
        float[] f = new float[Math.multiplyExact(width * height, 2)];
        for (int y = 0, o = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                f[o++] = x / sxy;
                f[o++] = y / sxy;
            }
        }
        return f;
    }

    /** Appearance features (x/sxy, y/sxy, b0/srgb, b1/srgb, b2/srgb) per pixel from pixel-major bytes. */
    public static float[] appearanceFeatures(int width, int height, byte[] bytes3, float sxy, float srgb) {
        int n = width * height;
        if (bytes3.length != n * 3L) {
            throw new IllegalArgumentException("expected " + n * 3L + " colour bytes, got " + bytes3.length);
        }
        float[] f = new float[Math.multiplyExact(n, 5)];
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i++) {
                int o = i * 5;
                f[o] = x / sxy;
                f[o + 1] = y / sxy;
                f[o + 2] = (bytes3[3 * i] & 0xff) / srgb;
                f[o + 3] = (bytes3[3 * i + 1] & 0xff) / srgb;
                f[o + 4] = (bytes3[3 * i + 2] & 0xff) / srgb;
            }
        }
        return f;
    }

    /** Labels from point-major Q ({@code q[i * labels + l]}), and Q label-major. */
    private static Result result(int w, int h, int labels, float[] q, float confidence) {
        int n = w * h;
        float[][] prob = new float[labels][n];
        byte[] label = new byte[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            float max = q[i * labels];
            for (int l = 0; l < labels; l++) {
                float v = q[i * labels + l];
                prob[l][i] = v;
                if (v > max) {
                    max = v;
                    best = l;
                }
            }
            label[i] = (byte) (max < confidence ? UNCERTAIN : best);
        }
        return new Result(w, h, prob, label);
    }

    /** Labels from label-major Q [M][N]: argmax (first on ties), {@link #UNCERTAIN} where max &lt; confidence. */
    public static byte[] labels(float[][] q, float confidence) {
        int n = q[0].length;
        byte[] label = new byte[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            float max = q[0][i];
            for (int l = 1; l < q.length; l++) {
                if (q[l][i] > max) {
                    max = q[l][i];
                    best = l;
                }
            }
            label[i] = (byte) (max < confidence ? UNCERTAIN : best);
        }
        return label;
    }
}
