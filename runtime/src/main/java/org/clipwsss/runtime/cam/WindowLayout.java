package org.clipwsss.runtime.cam;

import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.image.PilResize;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.image.ResampleFilter;

/**
 * How an image of any size and aspect is covered by square windows of the model's input size: the image is
 * resized (PIL bicubic) so its short side equals the window (or, for very elongated images, so its long side
 * is at most {@code maxWindows} windows, padding the short side), and overlapping windows are laid along each
 * axis. Maps computed per window are averaged where windows overlap and brought back to the image's size.
 */
public final class WindowLayout {
    private final int imageWidth;
    private final int imageHeight;
    private final int window;
    private final int resizedWidth;
    private final int resizedHeight;
    private final int canvasWidth;
    private final int canvasHeight;
    private final List<int[]> origins;

    private WindowLayout(int iw, int ih, int window, int rw, int rh, List<int[]> origins) {
        this.imageWidth = iw;
        this.imageHeight = ih;
        this.window = window;
        this.resizedWidth = rw;
        this.resizedHeight = rh;
        this.canvasWidth = Math.max(rw, window);
        this.canvasHeight = Math.max(rh, window);
        this.origins = origins;
    }

    /**
     * @param overlap fraction of a window shared with its neighbour at most (e.g. 1/3)
     * @param maxWindows cap on windows along the long side
     */
    public static WindowLayout plan(int width, int height, int window, double overlap, int maxWindows) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("empty image " + width + "x" + height);
        }
        double scale = (double) window / Math.min(width, height);
        double longSide = Math.max(width, height) * scale;
        if (longSide > (double) window * maxWindows) {
            scale = (double) window * maxWindows / Math.max(width, height);
        }
        int rw = Math.max(1, (int) Math.round(width * scale));
        int rh = Math.max(1, (int) Math.round(height * scale));
        int stride = Math.max(1, (int) Math.round(window * (1 - overlap)));
        List<int[]> origins = new ArrayList<>();
        for (int y : positions(Math.max(rh, window), window, stride)) {
            for (int x : positions(Math.max(rw, window), window, stride)) {
                origins.add(new int[] {x, y});
            }
        }
        return new WindowLayout(width, height, window, rw, rh, origins);
    }

    private static int[] positions(int length, int window, int stride) {
        int n = length <= window ? 1 : (int) Math.ceil((double) (length - window) / stride) + 1;
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = n == 1 ? 0 : (int) Math.round((double) i * (length - window) / (n - 1));
        }
        return p;
    }

    public int windows() {
        return origins.size();
    }

    public int window() {
        return window;
    }

    /** The windows' pixels: the resized image, padded with black to at least one window, cut into windows. */
    public List<Raster8> crops(Raster8 image) {
        if (image.width() != imageWidth || image.height() != imageHeight) {
            throw new IllegalArgumentException("layout is for " + imageWidth + "x" + imageHeight);
        }
        Raster8 resized = PilResize.resize(image, resizedWidth, resizedHeight, ResampleFilter.BICUBIC);
        List<Raster8> out = new ArrayList<>();
        for (int[] o : origins) {
            out.add(resized.crop(o[0], o[1], window, window));
        }
        return out;
    }

    /**
     * Per-window maps on a {@code grid x grid} patch grid -> one map at the image's resolution: each window's
     * map is upsampled bilinearly to the window, overlapping windows are blended with weights that fall off
     * linearly from each window's centre to its edges (so no seam shows where a window ends), the padding is
     * cut off and the result resized bilinearly to the image.
     */
    public float[] toImage(float[][] windowMaps, int grid) {
        // blend on a canvas at most 8 samples per patch wide (a smooth map needs no more), then resize once
        int side = Math.min(window, grid * 8);
        double f = (double) side / window;
        int cw = (int) Math.ceil(canvasWidth * f);
        int ch = (int) Math.ceil(canvasHeight * f);
        float[] sum = new float[cw * ch];
        float[] count = new float[sum.length];
        float[] ramp = new float[side];
        for (int i = 0; i < side; i++) {
            ramp[i] = Math.max(Math.min(i + 0.5f, side - i - 0.5f) / (side / 2f), 1e-3f);
        }
        for (int i = 0; i < origins.size(); i++) {
            float[] up = FloatMaps.resizeBilinear(windowMaps[i], grid, grid, side, side);
            int ox = Math.min((int) Math.round(origins.get(i)[0] * f), cw - side);
            int oy = Math.min((int) Math.round(origins.get(i)[1] * f), ch - side);
            for (int y = 0; y < side; y++) {
                int row = (oy + y) * cw + ox;
                for (int x = 0; x < side; x++) {
                    float weight = ramp[x] * ramp[y];
                    sum[row + x] += weight * up[y * side + x];
                    count[row + x] += weight;
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = count[i] > 0 ? sum[i] / count[i] : 0;
        }
        int rw = Math.max(1, (int) Math.round(resizedWidth * f));
        int rh = Math.max(1, (int) Math.round(resizedHeight * f));
        float[] region = FloatMaps.crop(sum, cw, ch, 0, 0, rw, rh);
        return FloatMaps.resizeBilinear(region, rw, rh, imageWidth, imageHeight);
    }
}
