package org.clipwsss.runtime.mask;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.clipwsss.runtime.image.PilResize;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.image.ResampleFilter;

/** Pictures for people: an image with its class activation maps as a heatmap on top. */
public final class Overlays {
    private Overlays() {
    }

    /**
     * {@code image} (as RGB) blended 50/50 with a jet-like heatmap (blue 0, green 0.5, red 1) of the per-pixel
     * maximum of {@code cams}, clamped to [0, 1]. The maps ({@code width x height}) are quantised to 8 bits and
     * resized bilinearly to the image's size if they differ. With no maps, the image alone.
     */
    public static BufferedImage render(Raster8 image, float[][] cams, int width, int height) {
        Raster8 rgb = image.toRgb();
        Raster8 heat = cams.length == 0 ? null
                : PilResize.resize(maxMap(cams, width, height), image.width(), image.height(), ResampleFilter.BILINEAR);
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        // TYPE_INT_RGB's raster is one int per pixel, 0xRRGGBB, rows in order
        int[] pixels = ((java.awt.image.DataBufferInt) out.getRaster().getDataBuffer()).getData();
        byte[] src = rgb.data();
        byte[] level = heat == null ? null : heat.data();
        for (int i = 0; i < pixels.length; i++) {
            int r = src[3 * i] & 0xff;
            int g = src[3 * i + 1] & 0xff;
            int b = src[3 * i + 2] & 0xff;
            if (level != null) {
                int jet = JET[level[i] & 0xff];
                r = (r + (jet >> 16) + 1) / 2;
                g = (g + ((jet >> 8) & 0xff) + 1) / 2;
                b = (b + (jet & 0xff) + 1) / 2;
            }
            pixels[i] = (r << 16) | (g << 8) | b;
        }
        return out;
    }

    /** Writes {@code image} as a PNG, atomically. */
    public static void writePng(Path file, BufferedImage image) {
        Png.write(file, image);
    }

    private static Raster8 maxMap(float[][] cams, int width, int height) {
        Raster8 out = Raster8.blank(width, height, 1);
        byte[] data = out.data();
        for (float[] cam : cams) {
            if (cam.length != data.length) {
                throw new IllegalArgumentException("a map has " + cam.length + " values, not " + width + "x" + height);
            }
        }
        for (int i = 0; i < data.length; i++) {
            float max = 0f;
            for (float[] cam : cams) {
                max = Math.max(max, cam[i]);
            }
            data[i] = (byte) Math.round(Math.min(1f, max) * 255f);
        }
        return out;
    }

    /** {@link #jet} of each 8-bit heat level v / 255 (the heat map is quantised to 8 bits before it is coloured). */
    private static final int[] JET = jetTable();

    private static int[] jetTable() {
        int[] table = new int[256];
        for (int v = 0; v < table.length; v++) {
            table[v] = jet(v / 255f);
        }
        return table;
    }

    /** The jet colour of {@code v} in [0, 1] as 0xRRGGBB. */
    static int jet(float v) {
        return (channel(v, 3) << 16) | (channel(v, 2) << 8) | channel(v, 1);
    }

    private static int channel(float v, int centre) {
        float c = Math.min(1f, Math.max(0f, 1.5f - Math.abs(4f * v - centre)));
        return Math.round(c * 255f);
    }
}
