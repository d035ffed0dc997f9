package org.clipwsss.runtime.eval;

import org.clipwsss.runtime.mask.LabelImage;

/**
 * Pixel counts of (ground-truth class, predicted class) over n classes, and the segmentation scores derived from
 * them, as the usual NumPy code computes them ({@code np.bincount(n * gt + pred)}, IoU = TP / (TP + FP + FN),
 * mIoU = {@code np.nanmean} of the IoUs).
 *
 * <p>Ground-truth pixels with value {@link LabelImage#IGNORE} (255) are not counted. A predicted value that is not a
 * class ({@code >= n}, 255 included) is counted as <em>unassigned</em>: a miss (false negative) for the ground-truth
 * class and a false positive for no class. So recall and the IoU denominators include such pixels, and every scored
 * pixel is counted exactly once, which plain {@code bincount} code (where a value {@code >= n} would spill into the
 * next row) does not guarantee.
 */
public final class ConfusionMatrix {
    private final int n;
    private final long[] counts; // counts[gt * n + pred]
    private final long[] unassigned; // per ground-truth class

    /**
     * @param classes n, 1..255 (values 0..n-1 are classes)
     */
    public ConfusionMatrix(int classes) {
        if (classes < 1 || classes > LabelImage.IGNORE) {
            throw new IllegalArgumentException("the number of classes must be 1..255, got " + classes);
        }
        this.n = classes;
        this.counts = new long[classes * classes];
        this.unassigned = new long[classes];
    }

    public int classes() {
        return n;
    }

    /**
     * Counts the pixels of one image.
     *
     * @throws IllegalArgumentException if the sizes differ, or if {@code gt} holds a value that is neither a class
     *     nor 255; the matrix may then hold part of the image and should be discarded
     */
    public void add(LabelImage gt, LabelImage pred) {
        if (!gt.sameSize(pred)) {
            throw new IllegalArgumentException("ground truth is " + gt.width() + "x" + gt.height()
                    + " but the prediction is " + pred.width() + "x" + pred.height());
        }
        byte[] g = gt.data();
        byte[] p = pred.data();
        for (int i = 0; i < g.length; i++) {
            int truth = g[i] & 0xff;
            if (truth == LabelImage.IGNORE) {
                continue;
            }
            if (truth >= n) {
                throw new IllegalArgumentException("ground truth has value " + truth + ", which is not a class (0.."
                        + (n - 1) + ") nor 255 (ignore)");
            }
            int guess = p[i] & 0xff;
            if (guess < n) {
                counts[truth * n + guess]++;
            } else {
                unassigned[truth]++;
            }
        }
    }

    /** Pixels of ground-truth class {@code gt} predicted as class {@code pred}. */
    public long count(int gt, int pred) {
        return counts[gt * n + pred];
    }

    /** Pixels of ground-truth class {@code gt} predicted as no class (a value {@code >= n}, or 255). */
    public long unassigned(int gt) {
        return unassigned[gt];
    }

    public long truePositives(int c) {
        return count(c, c);
    }

    /** Pixels predicted as {@code c} whose ground truth is another class. */
    public long falsePositives(int c) {
        long sum = 0;
        for (int g = 0; g < n; g++) {
            sum += count(g, c);
        }
        return sum - truePositives(c);
    }

    /** Pixels of class {@code c} predicted as another class or as none. */
    public long falseNegatives(int c) {
        long sum = unassigned[c];
        for (int p = 0; p < n; p++) {
            sum += count(c, p);
        }
        return sum - truePositives(c);
    }

    /** TP / (TP + FP + FN); NaN when the class is neither in the ground truth nor predicted. */
    public double iou(int c) {
        return ratio(truePositives(c), truePositives(c) + falsePositives(c) + falseNegatives(c));
    }

    /** TP / (TP + FP); NaN when the class is never predicted. */
    public double precision(int c) {
        return ratio(truePositives(c), truePositives(c) + falsePositives(c));
    }

    /** TP / (TP + FN); NaN when the class is not in the ground truth. */
    public double recall(int c) {
        return ratio(truePositives(c), truePositives(c) + falseNegatives(c));
    }

    /** The mean IoU over the classes whose IoU is defined (TP + FP + FN > 0); NaN if there are none. */
    public double meanIoU() {
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < n; c++) {
            double iou = iou(c);
            if (!Double.isNaN(iou)) {
                sum += iou;
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }

    /** The scored pixels (ground truth not 255). */
    public long pixels() {
        long sum = unassigned();
        for (long v : counts) {
            sum += v;
        }
        return sum;
    }

    /** All pixels predicted as no class. */
    public long unassigned() {
        long sum = 0;
        for (long v : unassigned) {
            sum += v;
        }
        return sum;
    }

    /** Correct pixels / scored pixels; NaN if none were scored. */
    public double pixelAccuracy() {
        long correct = 0;
        for (int c = 0; c < n; c++) {
            correct += truePositives(c);
        }
        return ratio(correct, pixels());
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
