package org.clipwsss.runtime.crf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;

/**
 * The fixture of {@code src/test/resources/conformance/crf} (pydensecrf's results as CLIP-ES uses it) and the
 * acceptance measures of its README: max |ΔQ|, the 99.9th percentile of the per-pixel max |ΔQ|, mean |ΔQ|, label
 * agreement (255 a label of its own) and how close the reference is to a decision at every disagreement.
 */
final class CrfAgreement {
    static final Path FIXTURE = Path.of("src/test/resources/conformance/crf");
    static final List<String> IMAGES = List.of("2007_000364", "2007_000129", "2007_008072", "2007_001724");

    static final double MAX_ABS = 5e-2;
    static final double P999 = 1e-3;
    static final double MEAN_ABS = 1e-5;
    static final double AGREE = 0.9995;
    static final double NEAR_CONFIDENCE = 1e-2;
    static final double NEAR_TIE = 2e-2;

    private CrfAgreement() {
    }

    /** One fixture image with its CAMs and pydensecrf's reference. */
    record Case(String name, Raster8 image, float[][] cams, float[][] refProb, byte[] refLabel) {
        int width() {
            return image.width();
        }

        int height() {
            return image.height();
        }
    }

    static Case load(String name) {
        Raster8 image = ImageFiles.read(FIXTURE.resolve("images/" + name + ".jpg"));
        int w = image.width();
        int h = image.height();
        NpyArray camArray = Npy.read(FIXTURE.resolve("cams/" + name + ".npy"));
        long[] s = camArray.shape();
        if (s.length != 3 || s[1] != h || s[2] != w) {
            throw new IllegalStateException(name + ": CAMs " + camArray + " for a " + w + "x" + h + " image");
        }
        float[][] cams = split(camArray.floats(), (int) s[0], w * h);
        NpyArray prob = Npy.read(FIXTURE.resolve("reference/" + name + ".prob.npy"));
        NpyArray label = Npy.read(FIXTURE.resolve("reference/" + name + ".label.npy"));
        return new Case(name, image, cams, split(prob.floats(), (int) s[0] + 1, w * h), label.bytes());
    }

    static float[][] split(float[] flat, int rows, int cols) {
        if (flat.length != rows * cols) {
            throw new IllegalStateException(flat.length + " values are not " + rows + " x " + cols);
        }
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
        }
        return out;
    }

    /** The measures of a result against the reference. */
    record Measures(double maxAbs, double p999, double meanAbs, double agree, int disagreements,
            int farDisagreements, double worstMargin) {

        /** The README's "suggested acceptance"; empty if all hold, else what failed. */
        List<String> failures() {
            List<String> f = new ArrayList<>();
            if (!(maxAbs <= MAX_ABS)) {
                f.add("max |dQ| " + maxAbs + " > " + MAX_ABS);
            }
            if (!(p999 <= P999)) {
                f.add("99.9th pct " + p999 + " > " + P999);
            }
            if (!(meanAbs <= MEAN_ABS)) {
                f.add("mean |dQ| " + meanAbs + " > " + MEAN_ABS);
            }
            if (!(agree >= AGREE)) {
                f.add("labels agree on " + agree + " < " + AGREE);
            }
            if (farDisagreements > 0) {
                f.add(farDisagreements + " disagreeing pixels are not near a decision");
            }
            return f;
        }

        @Override
        public String toString() {
            return String.format("max|dQ| %.3g, p99.9 %.3g, mean|dQ| %.3g, labels agree %.5f%% (%d differ, %d far"
                    + " from a decision, worst margin %.3g)", maxAbs, p999, meanAbs, 100 * agree, disagreements,
                    farDisagreements, worstMargin);
        }
    }

    static Measures measure(float[][] prob, byte[] label, float[][] refProb, byte[] refLabel) {
        int m = refProb.length;
        int n = refProb[0].length;
        if (prob.length != m || prob[0].length != n || label.length != n || refLabel.length != n) {
            throw new IllegalStateException("shapes differ");
        }
        double max = 0;
        double sum = 0;
        double[] perPixel = new double[n];
        int disagree = 0;
        int far = 0;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double pm = 0;
            for (int l = 0; l < m; l++) {
                double dq = Math.abs((double) prob[l][i] - refProb[l][i]);
                if (Double.isNaN(dq)) {
                    dq = Double.POSITIVE_INFINITY;
                }
                pm = Math.max(pm, dq);
                sum += dq;
            }
            perPixel[i] = pm;
            max = Math.max(max, pm);
            if (label[i] != refLabel[i]) {
                disagree++;
                double margin = margin(refProb, i);
                worst = Math.max(worst, margin);
                if (!nearDecision(refProb, i)) {
                    far++;
                }
            }
        }
        return new Measures(max, percentile(perPixel, 99.9), sum / ((double) n * m), 1 - (double) disagree / n,
                disagree, far, worst);
    }

    /** Whether the reference at pixel i is near a decision: |max Q − 0.95| ≤ 1e-2 or top-2 gap ≤ 2e-2. */
    static boolean nearDecision(float[][] refProb, int i) {
        float[] top = top2(refProb, i);
        return Math.abs(top[0] - 0.95) <= NEAR_CONFIDENCE || top[0] - top[1] <= NEAR_TIE;
    }

    /** min(|max Q − 0.95|, top-2 gap) at pixel i. */
    static double margin(float[][] refProb, int i) {
        float[] top = top2(refProb, i);
        return Math.min(Math.abs(top[0] - 0.95), top[0] - top[1]);
    }

    private static float[] top2(float[][] q, int i) {
        float a = Float.NEGATIVE_INFINITY;
        float b = Float.NEGATIVE_INFINITY;
        for (float[] row : q) {
            float v = row[i];
            if (v > a) {
                b = a;
                a = v;
            } else if (v > b) {
                b = v;
            }
        }
        return new float[] {a, q.length > 1 ? b : Float.NEGATIVE_INFINITY};
    }

    /** numpy's default (linear) percentile. */
    static double percentile(double[] values, double pct) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = pct / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** max |a − b| over two equally shaped arrays. */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException(a.length + " vs " + b.length + " values");
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double dq = Math.abs((double) a[i] - b[i]);
            max = Math.max(max, Double.isNaN(dq) ? Double.POSITIVE_INFINITY : dq);
        }
        return max;
    }

    static float[] flatten(float[][] rows) {
        int cols = rows[0].length;
        float[] out = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * cols, cols);
        }
        return out;
    }
}
