package org.clipwsss.runtime.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * {@link BufferedImage} to {@link Raster8} with the values PIL would decode from the same file.
 *
 * <ul>
 *   <li>gray ({@code TYPE_BYTE_GRAY}, 16-bit gray) gives 1 channel, gray with alpha 4 (RGBA, gray replicated);
 *       samples are read as stored, not colour-converted (Java's gray colour space is linear, so
 *       {@code getRGB} would brighten them);</li>
 *   <li>RGB (any sRGB component layout, 8 or 16 bits) gives 3 channels, with alpha 4;</li>
 *   <li>indexed (palette) images are looked up to RGB, or RGBA when the palette has transparency;</li>
 *   <li>anything else ({@code TYPE_INT_*}, other colour spaces) goes through {@code getRGB}.</li>
 * </ul>
 * Colour samples wider than 8 bits keep their high byte (as PIL reads 16-bit RGB PNGs); a single gray
 * channel wider than 8 bits (16-bit microscopy TIFFs, which often use only 12 bits or less) is scaled linearly
 * from its minimum to its maximum, like ImageJ's automatic display range; narrower samples are scaled to 0..255.
 */
public final class BufferedImages {
    private BufferedImages() {
    }

    public static Raster8 toRaster(BufferedImage image) {
        if (image.getColorModel() instanceof IndexColorModel palette) {
            return fromPalette(image, palette);
        }
        if (image.getColorModel() instanceof ComponentColorModel cm && !cm.isAlphaPremultiplied()) {
            int type = cm.getColorSpace().getType();
            int bands = image.getRaster().getNumBands();
            int dataType = image.getRaster().getDataBuffer().getDataType();
            boolean floats = dataType == java.awt.image.DataBuffer.TYPE_FLOAT || dataType == java.awt.image.DataBuffer.TYPE_DOUBLE;
            if (type == ColorSpace.TYPE_GRAY && bands == 1) {
                // wider than 8 bits (16-bit microscopy) or float (32-bit TIFFs): stretched, as ImageJ displays them
                return floats || image.getRaster().getSampleModel().getSampleSize(0) > 8 ? stretched(image)
                        : fromSamples(image, new int[] {0}, 1);
            }
            if (type == ColorSpace.TYPE_GRAY && bands == 2) {
                return fromSamples(image, new int[] {0, 0, 0, 1}, 4);
            }
            if (cm.getColorSpace().isCS_sRGB() && (bands == 3 || bands == 4)) {
                return fromSamples(image, bands == 3 ? new int[] {0, 1, 2} : new int[] {0, 1, 2, 3}, bands);
            }
        }
        return fromArgb(image, image.getColorModel().hasAlpha());
    }

    /** Copies raster bands {@code bandOf[c]} into channel c, reduced to 8 bits. */
    private static Raster8 fromSamples(BufferedImage image, int[] bandOf, int channels) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        Raster8 out = Raster8.blank(w, h, channels);
        int[] row = new int[w];
        for (int c = 0; c < channels; c++) {
            int bits = raster.getSampleModel().getSampleSize(bandOf[c]);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, bandOf[c], row);
                for (int x = 0; x < w; x++) {
                    out.set(x, y, c, to8Bits(row[x], bits));
                }
            }
        }
        return out;
    }

    /** One gray band, linearly from its minimum (0) to its maximum (255); a non-finite (float) sample is an error. */
    private static Raster8 stretched(BufferedImage image) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        double[] all = raster.getSamples(0, 0, w, h, 0, new double[w * h]);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < all.length; i++) {
            if (!Double.isFinite(all[i])) {
                throw new org.clipwsss.runtime.ClipWsssException("float image with a " + all[i] + " pixel at x = " + i % w
                        + ", y = " + i / w + " (NaN or infinite values cannot be scaled)");
            }
            min = Math.min(min, all[i]);
            max = Math.max(max, all[i]);
        }
        Raster8 out = Raster8.blank(w, h, 1);
        double scale = max > min ? 255.0 / (max - min) : 0;
        for (int i = 0; i < all.length; i++) {
            out.set(i % w, i / w, 0, (int) Math.round((all[i] - min) * scale));
        }
        return out;
    }

    private static Raster8 fromPalette(BufferedImage image, IndexColorModel palette) {
        boolean alpha = palette.hasAlpha();
        int channels = alpha ? 4 : 3;
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        Raster8 out = Raster8.blank(w, h, channels);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                putArgb(out, x, y, palette.getRGB(row[x]), channels);
            }
        }
        return out;
    }

    private static Raster8 fromArgb(BufferedImage image, boolean alpha) {
        int w = image.getWidth();
        int h = image.getHeight();
        int channels = alpha ? 4 : 3;
        Raster8 out = Raster8.blank(w, h, channels);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                putArgb(out, x, y, row[x], channels);
            }
        }
        return out;
    }

    private static void putArgb(Raster8 out, int x, int y, int argb, int channels) {
        out.set(x, y, 0, argb >> 16);
        out.set(x, y, 1, argb >> 8);
        out.set(x, y, 2, argb);
        if (channels == 4) {
            out.set(x, y, 3, argb >>> 24);
        }
    }

    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        return bits > 8 ? sample >>> (bits - 8) : Math.round(sample * 255f / ((1 << bits) - 1));
    }
}
