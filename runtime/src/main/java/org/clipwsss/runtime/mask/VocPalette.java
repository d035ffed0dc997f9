package org.clipwsss.runtime.mask;

import java.awt.image.IndexColorModel;

/**
 * The standard PASCAL VOC colour map: 256 colours whose red, green and blue bits interleave the bits of the index
 * (the VOC devkit's {@code labelcolormap} / {@code bitget} formula). Index 0 is black, 1 dark red (128, 0, 0),
 * 255 (ignore) the light cream (224, 224, 192).
 */
public final class VocPalette {
    private static final int[] RGB = build();

    private VocPalette() {
    }

    /** A copy of the 256 colours as 0xRRGGBB. */
    public static int[] rgb() {
        return RGB.clone();
    }

    /** The colours as an 8-bit, 256-entry, opaque palette. */
    public static IndexColorModel colorModel() {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (RGB[i] >> 16);
            g[i] = (byte) (RGB[i] >> 8);
            b[i] = (byte) RGB[i];
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    private static int[] build() {
        int[] map = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = 0;
            int g = 0;
            int b = 0;
            int c = i;
            for (int j = 0; j < 8; j++) {
                r |= (c & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            map[i] = (r << 16) | (g << 8) | b;
        }
        return map;
    }
}
