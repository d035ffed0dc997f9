package org.clipwsss.runtime.image;

import java.util.Arrays;

/**
 * An 8-bit image: {@code width x height} pixels of {@code channels} interleaved unsigned bytes, row by row.
 * Channels are 1 (gray, PIL mode "L"), 3 (RGB) or 4 (RGBA, straight alpha). This is the one input type of
 * {@link ClipPreprocessor}; the converters ({@link ImageFiles}, {@link BufferedImages}, {@link Imglib2Images})
 * produce it.
 */
public final class Raster8 {
    private final int width;
    private final int height;
    private final int channels;
    private final byte[] data;

    /**
     * Wraps {@code data} (not copied): {@code data[(y * width + x) * channels + c]}.
     *
     * @throws IllegalArgumentException for non-positive sizes, channels other than 1, 3, 4, or a wrong length
     */
    public Raster8(int width, int height, int channels, byte[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got " + channels);
        }
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("expected " + (long) width * height * channels + " bytes for "
                    + width + "x" + height + "x" + channels + ", got " + data.length);
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.data = data;
    }

    /** A zero-filled (black; transparent for RGBA) image. */
    public static Raster8 blank(int width, int height, int channels) {
        return new Raster8(width, height, channels, new byte[Math.multiplyExact(Math.multiplyExact(width, height), channels)]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int channels() {
        return channels;
    }

    /** The interleaved pixel bytes, not copied: changes write through. */
    public byte[] data() {
        return data;
    }

    /** The sample of channel {@code c} at ({@code x}, {@code y}), 0..255. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * channels + c] & 0xff;
    }

    public void set(int x, int y, int c, int value) {
        data[(y * width + x) * channels + c] = (byte) value;
    }

    /**
     * The {@code w x h} window whose top-left corner is ({@code left}, {@code top}); parts outside this image
     * are zero, as torchvision's CenterCrop pads.
     */
    public Raster8 crop(int left, int top, int w, int h) {
        Raster8 out = blank(w, h, channels);
        int x0 = Math.max(0, left);
        int x1 = Math.min(width, left + w);
        if (x1 <= x0) {
            return out;
        }
        for (int y = Math.max(0, top); y < Math.min(height, top + h); y++) {
            System.arraycopy(data, (y * width + x0) * channels,
                    out.data, ((y - top) * w + x0 - left) * channels, (x1 - x0) * channels);
        }
        return out;
    }

    /** As PIL's {@code convert("RGB")}: gray is replicated, alpha dropped; an RGB image is returned as is. */
    public Raster8 toRgb() {
        if (channels == 3) {
            return this;
        }
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, n = width * height; i < n; i++) {
            if (channels == 1) {
                rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
            } else {
                System.arraycopy(data, 4 * i, rgb, 3 * i, 3);
            }
        }
        return new Raster8(width, height, 3, rgb);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Raster8 r && r.width == width && r.height == height && r.channels == channels
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * width + height) + channels) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Raster8[" + width + "x" + height + "x" + channels + "]";
    }
}
