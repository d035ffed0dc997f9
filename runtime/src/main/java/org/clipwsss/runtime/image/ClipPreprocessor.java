package org.clipwsss.runtime.image;

import java.util.List;

/**
 * Turns images into CLIP's pixel values as OpenAI CLIP's own preprocessing does (torchvision on PIL images):
 * resize the shortest edge with {@link PilResize} (long edge {@code int(S * long / short)}), centre crop
 * (torchvision's rounding, zero padding when the image is smaller than the crop), convert to RGB, rescale
 * (x / 255), normalise ({@code (x - mean) / std}), in float32 as torch computes it.
 *
 * <p>Output is channel-first: one image gives {@code [3, H, W]} flattened, a list {@code [N, 3, H, W]}.
 * Note the order differs from Hugging Face's CLIPImageProcessor, which converts to RGB before resizing (that
 * only matters for RGBA images) and rounds the crop offset down; the golden tensors follow OpenAI CLIP.
 */
public final class ClipPreprocessor {
    private final PreprocessConfig config;
    /** value[c][v]: the normalised value of 8-bit sample v in channel c. */
    private final float[][] value = new float[3][256];

    public ClipPreprocessor(PreprocessConfig config) {
        this.config = config;
        double[] mean = config.imageMean();
        double[] std = config.imageStd();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = config.doRescale() ? (float) (v * config.rescaleFactor()) : v;
                value[c][v] = config.doNormalize() ? (x - (float) mean[c]) / (float) std[c] : x;
            }
        }
    }

    public PreprocessConfig config() {
        return config;
    }

    /**
     * The side of the square images {@link #preprocess(Raster8)} gives.
     *
     * @throws IllegalStateException when the output is not square or depends on the input size
     */
    public int size() {
        if (config.doCenterCrop()) {
            return config.cropSize();
        }
        if (config.doResize() && config.shortestEdge() == 0 && config.resizeHeight() == config.resizeWidth()) {
            return config.resizeHeight();
        }
        throw new IllegalStateException("output size depends on the image size: " + config);
    }

    /** One image to {@code [3, H, W]} pixel values, flattened (H = W = {@link #size()} for CLIP configs). */
    public float[] preprocess(Raster8 image) {
        return normalize(resizeAndCrop(image));
    }

    /** The geometric part of {@link #preprocess(Raster8)}: resized and centre-cropped 8-bit pixels. */
    public Raster8 resizeAndCrop(Raster8 image) {
        Raster8 out = image;
        if (config.doResize()) {
            out = config.shortestEdge() > 0
                    ? resizeShortestEdge(out, config.shortestEdge(), config.resample())
                    : PilResize.resize(out, config.resizeWidth(), config.resizeHeight(), config.resample());
        }
        if (config.doCenterCrop()) {
            out = centerCrop(out, config.cropWidth(), config.cropHeight());
        }
        return out;
    }

    /**
     * Several images to {@code [N, 3, H, W]} pixel values, flattened.
     *
     * @throws IllegalArgumentException when the images do not all give the same size (no centre crop)
     */
    public float[] preprocess(List<Raster8> images) {
        float[][] each = images.stream().map(this::preprocess).toArray(float[][]::new);
        int per = each.length == 0 ? 0 : each[0].length;
        float[] batch = new float[Math.multiplyExact(per, each.length)];
        for (int i = 0; i < each.length; i++) {
            if (each[i].length != per) {
                throw new IllegalArgumentException("images give tensors of different sizes; enable the centre crop");
            }
            System.arraycopy(each[i], 0, batch, i * per, per);
        }
        return batch;
    }

    /**
     * {@code image} resized to exactly {@code width x height} (no crop, aspect ratio not kept) with the
     * configured filter, then converted to RGB and normalised: {@code [3, height, width]} flattened. For
     * sliding windows, crop the windows with {@link Raster8#crop} first.
     */
    public float[] preprocessResized(Raster8 image, int width, int height) {
        return normalize(PilResize.resize(image, width, height, config.resample()));
    }

    /** The most pixels the shortest-edge resize may produce (an aspect ratio of about 1000:1 at 224). */
    static final long MAX_RESIZED_PIXELS = 64L * 1024 * 1024;

    /** torchvision's {@code Resize(size)} for an int size: short side to {@code size}, long side truncated. */
    static Raster8 resizeShortestEdge(Raster8 image, int size, ResampleFilter filter) {
        int[] wh = shortestEdgeSize(image.width(), image.height(), size);
        if ((long) wh[0] * wh[1] > MAX_RESIZED_PIXELS) {
            // CLIP's preprocessing resizes the whole image before its centre crop: a 1x100000 strip would become
            // 224 x 22 million pixels
            throw new org.clipwsss.runtime.ClipWsssException("image of " + image.width() + "x" + image.height()
                    + " is too elongated for CLIP's preprocessing (its short side to " + size + " would make it " + wh[0] + "x"
                    + wh[1] + ")");
        }
        return PilResize.resize(image, wh[0], wh[1], filter);
    }

    private static int[] shortestEdgeSize(int w, int h, int size) {
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int newLong = (int) ((double) ((long) size * longSide) / shortSide);
        return w <= h ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    /**
     * Where the model's input comes from in an image of {@code width x height}: the size the image is resized
     * to, and the crop window (left, top, width, height) in that resized image (it may reach outside it when
     * the resized image is smaller than the crop). Used to map a class activation map onto the model's input
     * exactly as the pixels were mapped.
     */
    public record Geometry(int resizedWidth, int resizedHeight, int left, int top, int cropWidth, int cropHeight) { }

    public Geometry geometry(int width, int height) {
        int rw = width;
        int rh = height;
        if (config.doResize()) {
            int[] wh = config.shortestEdge() > 0 ? shortestEdgeSize(width, height, config.shortestEdge())
                    : new int[] {config.resizeWidth(), config.resizeHeight()};
            rw = wh[0];
            rh = wh[1];
        }
        if (!config.doCenterCrop()) {
            return new Geometry(rw, rh, 0, 0, rw, rh);
        }
        int[] lt = cropOrigin(rw, rh, config.cropWidth(), config.cropHeight());
        return new Geometry(rw, rh, lt[0], lt[1], config.cropWidth(), config.cropHeight());
    }

    private static int[] cropOrigin(int width, int height, int cropWidth, int cropHeight) {
        int padLeft = Math.max(0, (cropWidth - width) / 2);
        int padTop = Math.max(0, (cropHeight - height) / 2);
        int paddedWidth = Math.max(width, cropWidth);
        int paddedHeight = Math.max(height, cropHeight);
        return new int[] {(int) Math.rint((paddedWidth - cropWidth) / 2.0) - padLeft,
            (int) Math.rint((paddedHeight - cropHeight) / 2.0) - padTop};
    }

    /**
     * torchvision's {@code CenterCrop}: offsets {@code round((side - crop) / 2)} with Python's round (half to
     * even); an image smaller than the crop is first padded with zeros, {@code (crop - side) / 2} before.
     */
    static Raster8 centerCrop(Raster8 image, int cropWidth, int cropHeight) {
        int[] lt = cropOrigin(image.width(), image.height(), cropWidth, cropHeight);
        int left = lt[0];
        int top = lt[1];
        if (left == 0 && top == 0 && cropWidth == image.width() && cropHeight == image.height()) {
            return image;
        }
        return image.crop(left, top, cropWidth, cropHeight);
    }

    /** The numeric part of {@link #preprocess(Raster8)}: RGB, rescaled and normalised, {@code [3, H, W]} flattened. */
    public float[] normalize(Raster8 image) {
        Raster8 rgb = image.toRgb();
        int plane = rgb.width() * rgb.height();
        byte[] src = rgb.data();
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = value[c][src[3 * i + c] & 0xff];
            }
        }
        return out;
    }
}
