package org.clipwsss.training.gradcam;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP-ES's class-aware attention affinity (CAA), on one window's patch grid (as in CLIP-ES's
 * {@code generate_cams_voc12.py} and {@code utils.scoremap2bbox}):
 * <ol>
 * <li>{@link #transition}: from the attention A [N,N] (averaged over heads and the last layers), T = A divided
 * by its column sums, then by its row sums, then twice more columns then rows (Sinkhorn), T = (T + T^T) / 2,
 * T = T T. It does not depend on the class.</li>
 * <li>{@link #boxMask}: the class's Grad-CAM normalised as pytorch-grad-cam does, quantised to 8 bits,
 * thresholded at 0.4 of its maximum; every connected region's bounding box is set to 1.</li>
 * <li>{@link #refine}: {@code refined = (T * mask) cam}, the mask multiplying T's columns (CLIP-ES's
 * {@code trans_mat * aff_mask} with {@code aff_mask} of shape [1,N]): patch i gathers the Grad-CAM of the
 * patches j inside the boxes, weighted by T[i,j].</li>
 * </ol>
 */
public final class AttentionAffinity {
    /** The box threshold, as a fraction of the quantised map's maximum (CLIP-ES: 0.4). */
    public static final double BOX_THRESHOLD = 0.4;

    private AttentionAffinity() {
    }

    /** The class-independent transition matrix of an attention matrix {@code a} [n,n] (row-major). */
    public static float[] transition(float[] a, int n) {
        if (a.length != n * n) {
            throw new IllegalArgumentException(a.length + " values for a " + n + "x" + n + " matrix");
        }
        float[] t = a.clone();
        for (int round = 0; round < 3; round++) {
            divideColumns(t, n);
            divideRows(t, n);
        }
        float[] s = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i * n + j] = (t[i * n + j] + t[j * n + i]) / 2;
            }
        }
        return square(s, n);
    }

    /**
     * {@code s s} for a symmetric {@code s} [n,n] in float (as PyTorch's float32 matmul), rows in parallel and the
     * sum over k in blocks that stay in the cache: the affinity's costliest step (n = 768 for a 500x375 image at
     * 16-pixel patches).
     */
    static float[] square(float[] s, int n) {
        float[] sq = new float[n * n];
        final int block = 128;
        java.util.stream.IntStream.range(0, (n + 31) / 32).parallel().forEach(rb -> {
            int i0 = rb * 32;
            int i1 = Math.min(n, i0 + 32);
            for (int k0 = 0; k0 < n; k0 += block) {
                int k1 = Math.min(n, k0 + block);
                for (int i = i0; i < i1; i++) {
                    int row = i * n;
                    for (int k = k0; k < k1; k++) {
                        float v = s[row + k];
                        int krow = k * n;
                        for (int j = 0; j < n; j++) {
                            sq[row + j] += v * s[krow + j];
                        }
                    }
                }
            }
        });
        return sq;
    }

    private static void divideColumns(float[] t, int n) {
        float[] sum = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sum[j] += t[i * n + j];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[i * n + j] /= sum[j];
            }
        }
    }

    private static void divideRows(float[] t, int n) {
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int j = 0; j < n; j++) {
                sum += t[i * n + j];
            }
            for (int j = 0; j < n; j++) {
                t[i * n + j] /= sum;
            }
        }
    }

    /**
     * pytorch-grad-cam's {@code scale_cam_image}: {@code (m - min) / (1e-7 + max(m - min))} in float32. CLIP-ES's
     * Grad-CAM goes through it twice (per target layer, then after aggregating the layers), so its peak is
     * 1 / (1 + 1e-7) rounded to float32, just below 1, which decides the 8-bit quantisation below.
     */
    public static float[] scaleCamImage(float[] m) {
        float min = Float.POSITIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
        }
        float max = Float.NEGATIVE_INFINITY;
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i] - min;
            max = Math.max(max, out[i]);
        }
        float denominator = (float) (1e-7 + max);
        for (int i = 0; i < m.length; i++) {
            out[i] /= denominator;
        }
        return out;
    }

    /**
     * CLIP-ES's {@code scoremap2bbox(map, 0.4, multi_contour_eval=True)} on a map in [0,1] [height,width]: pixels
     * whose {@code uint8(255 m)} exceeds {@code int(0.4 * its maximum)} are foreground, and each OpenCV contour
     * gives its bounding box. The union of the contours' boxes is the union of the boxes of the 8-connected
     * foreground regions (hole contours lie inside their region's box), so those are returned, as
     * {x0, y0, x1, y1} with exclusive ends; as in CLIP-ES, x1 and y1 are clamped to width - 1 and height - 1, so a
     * box never covers the last column or row. No foreground gives CLIP-ES's empty box {0, 0, 0, 0}.
     */
    public static List<int[]> boxes(float[] m, int width, int height) {
        int[] q = new int[m.length];
        int top = 0;
        for (int i = 0; i < m.length; i++) {
            q[i] = (int) (m[i] * 255f);
            top = Math.max(top, q[i]);
        }
        int threshold = (int) (BOX_THRESHOLD * top);
        boolean[] seen = new boolean[m.length];
        List<int[]> boxes = new ArrayList<>();
        int[] stack = new int[m.length];
        for (int start = 0; start < m.length; start++) {
            if (seen[start] || q[start] <= threshold) {
                continue;
            }
            int x0 = width;
            int y0 = height;
            int xe = -1;
            int ye = -1;
            int size = 0;
            stack[size++] = start;
            seen[start] = true;
            while (size > 0) {
                int p = stack[--size];
                int x = p % width;
                int y = p / width;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                xe = Math.max(xe, x);
                ye = Math.max(ye, y);
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        int ny = y + dy;
                        int np = ny * width + nx;
                        if (nx >= 0 && ny >= 0 && nx < width && ny < height && !seen[np] && q[np] > threshold) {
                            seen[np] = true;
                            stack[size++] = np;
                        }
                    }
                }
            }
            boxes.add(new int[] {x0, y0, Math.min(xe + 1, width - 1), Math.min(ye + 1, height - 1)});
        }
        if (boxes.isEmpty()) {
            boxes.add(new int[] {0, 0, 0, 0});
        }
        return boxes;
    }

    /** 1 inside the {@link #boxes} of a map in [0,1] [height,width], 0 elsewhere. */
    public static float[] boxMask(float[] m, int width, int height) {
        float[] mask = new float[m.length];
        for (int[] b : boxes(m, width, height)) {
            for (int y = b[1]; y < b[3]; y++) {
                for (int x = b[0]; x < b[2]; x++) {
                    mask[y * width + x] = 1f;
                }
            }
        }
        return mask;
    }

    /**
     * The refined map of one class on one window: {@code cam} [height,width] is the window's Grad-CAM (ReLU
     * applied), {@code trans} its {@link #transition}. As CLIP-ES, the CAM is scaled by {@link #scaleCamImage}
     * twice, its {@link #boxMask} taken, and {@code refined[i] = sum_j trans[i,j] mask[j] cam[j]}. The result is
     * multiplied back by the CAM's range (max - min) so that windows keep their relative strength when they are
     * blended, as the unrefined Grad-CAMs do; a single window's normalised map is CLIP-ES's.
     */
    public static float[] refine(float[] trans, float[] cam, int width, int height) {
        int n = width * height;
        if (cam.length != n || trans.length != n * n) {
            throw new IllegalArgumentException("a " + width + "x" + height + " map needs a " + n + "x" + n + " transition");
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : cam) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = propagate(trans, scaleCamImage(scaleCamImage(cam)), width, height);
        float range = max - min;
        for (int i = 0; i < n; i++) {
            out[i] *= range;
        }
        return out;
    }

    /**
     * CLIP-ES's refinement of a Grad-CAM already scaled as pytorch-grad-cam scales it ({@code scaled}, [height,width]):
     * the columns of {@code trans} outside the {@link #boxMask} of {@code scaled} zeroed, times {@code scaled}:
     * {@code out[i] = sum_j trans[i,j] mask[j] scaled[j]}.
     */
    public static float[] propagate(float[] trans, float[] scaled, int width, int height) {
        int n = width * height;
        float[] mask = boxMask(scaled, width, height);
        float[] source = new float[n];
        for (int j = 0; j < n; j++) {
            source[j] = mask[j] * scaled[j];
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += trans[i * n + j] * source[j];
            }
            out[i] = (float) sum;
        }
        return out;
    }
}
