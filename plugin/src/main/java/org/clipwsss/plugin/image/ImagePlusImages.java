package org.clipwsss.plugin.image;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.awt.image.ColorModel;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.image.Raster8;

/**
 * ImageJ images to {@link Raster8}s, one per stack slice (all channels, slices and frames, in stack order).
 *
 * <ul>
 *   <li>RGB images give their RGB values.</li>
 *   <li>8-bit images give their raw values as gray (the display range is ignored).</li>
 *   <li>16- and 32-bit images are scaled to 8 bits with the display range, as ImageJ's own 8-bit conversion
 *       does (Image &gt; Type &gt; 8-bit); for composite images each channel uses its own display range.</li>
 *   <li>A gray image whose LUT is inverting or coloured (and not a composite) is rendered through the LUT to
 *       RGB instead: what ImageJ shows, which is what the user means by the image.</li>
 * </ul>
 */
public final class ImagePlusImages {
    private ImagePlusImages() {
    }

    public static List<Raster8> toRasters(ImagePlus imp) {
        ImageStack stack = imp.getStack();
        ImageProcessor shown = imp.getProcessor();
        boolean composite = imp.isComposite();
        boolean throughLut = !composite && (shown.isInvertedLut() || shown.isColorLut());
        List<Raster8> rasters = new ArrayList<>(stack.getSize());
        for (int i = 1; i <= stack.getSize(); i++) {
            ImageProcessor ip = stack.getProcessor(i);
            if (ip instanceof ColorProcessor rgb) {
                rasters.add(fromRgb(rgb));
                continue;
            }
            double min = imp.getDisplayRangeMin();
            double max = imp.getDisplayRangeMax();
            if (composite) {
                LUT lut = ((CompositeImage) imp).getChannelLut(imp.convertIndexToPosition(i)[0]);
                min = lut.min;
                max = lut.max;
            }
            rasters.add(fromGray(ip, shown.getColorModel(), min, max, throughLut));
        }
        return rasters;
    }

    private static Raster8 fromGray(ImageProcessor ip, ColorModel lut, double min, double max, boolean throughLut) {
        if (throughLut) {
            ip.setColorModel(lut);
            ip.setMinAndMax(min, max);
            return fromRgb(ip.convertToColorProcessor());
        }
        if (ip.getBitDepth() != 8) {
            ip.setMinAndMax(min, max);
            ip = ip.convertToByteProcessor(true);
        }
        byte[] pixels = (byte[]) ip.getPixels();
        return new Raster8(ip.getWidth(), ip.getHeight(), 1, pixels.clone());
    }

    private static Raster8 fromRgb(ColorProcessor ip) {
        int[] pixels = (int[]) ip.getPixels();
        byte[] rgb = new byte[pixels.length * 3];
        for (int i = 0; i < pixels.length; i++) {
            rgb[3 * i] = (byte) (pixels[i] >> 16);
            rgb[3 * i + 1] = (byte) (pixels[i] >> 8);
            rgb[3 * i + 2] = (byte) pixels[i];
        }
        return new Raster8(ip.getWidth(), ip.getHeight(), 3, rgb);
    }
}
