package org.clipwsss.runtime.mask;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A segmentation mask: {@code width x height} class indices (unsigned bytes, 0..255), row by row. By the VOC
 * convention 0 is background and {@link #IGNORE} (255) marks pixels that are not scored.
 */
public final class LabelImage {
    /** The "ignore" value: object borders and unsure pixels. */
    public static final int IGNORE = 255;

    private final int width;
    private final int height;
    private final byte[] data;

    /**
     * Wraps {@code data} (not copied): {@code data[y * width + x]}.
     *
     * @throws IllegalArgumentException for non-positive sizes or a wrong length
     */
    public LabelImage(int width, int height, byte[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (data.length != (long) width * height) {
            throw new IllegalArgumentException("expected " + (long) width * height + " labels for " + width + "x"
                    + height + ", got " + data.length);
        }
        this.width = width;
        this.height = height;
        this.data = data;
    }

    /** An all-background (0) mask. */
    public static LabelImage blank(int width, int height) {
        return new LabelImage(width, height, new byte[Math.multiplyExact(width, height)]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The labels, not copied: changes write through. */
    public byte[] data() {
        return data;
    }

    /** The label of pixel {@code i = y * width + x}, 0..255. */
    public int get(int i) {
        return data[i] & 0xff;
    }

    public int get(int x, int y) {
        return get(y * width + x);
    }

    public void set(int x, int y, int label) {
        if (label < 0 || label > 255) {
            throw new IllegalArgumentException("label must be 0..255, got " + label);
        }
        data[y * width + x] = (byte) label;
    }

    /** Whether {@code other} has the same width and height. */
    public boolean sameSize(LabelImage other) {
        return width == other.width && height == other.height;
    }

    /** The distinct labels present, ascending. */
    public int[] values() {
        boolean[] seen = new boolean[256];
        for (byte v : data) {
            seen[v & 0xff] = true;
        }
        return IntStream.range(0, 256).filter(v -> seen[v]).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelImage l && l.width == width && l.height == height && Arrays.equals(l.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(data);
    }

    /** "LabelImage[500x375]" */
    @Override
    public String toString() {
        return "LabelImage[" + width + "x" + height + "]";
    }
}
