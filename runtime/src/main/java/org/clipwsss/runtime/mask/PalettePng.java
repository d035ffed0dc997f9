package org.clipwsss.runtime.mask;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.image.ImageFiles;

/**
 * Label images as PNG files, the PASCAL VOC way: 8-bit indexed PNGs with the {@link VocPalette}, whose pixel
 * values (palette indices) are the class indices. Viewers show the VOC colours; programs read the indices.
 */
public final class PalettePng {
    private PalettePng() {
    }

    /**
     * Writes {@code labels} as an 8-bit palette PNG with the VOC colours, atomically.
     *
     * @throws ClipWsssException "FILE: could not write: ..."
     */
    public static void write(Path file, LabelImage labels) {
        BufferedImage image = new BufferedImage(labels.width(), labels.height(), BufferedImage.TYPE_BYTE_INDEXED,
                VocPalette.colorModel());
        image.getRaster().setDataElements(0, 0, labels.width(), labels.height(), labels.data());
        Png.write(file, image);
    }

    /**
     * Reads the label values of a mask: the palette indices of an indexed image (not its colours), or the raw
     * values of an 8-bit grayscale image.
     *
     * @throws ClipWsssException naming the file when it is missing or unreadable, or is neither indexed nor 8-bit
     *     gray (e.g. an RGB or a 16-bit PNG)
     */
    public static LabelImage read(Path file) {
        BufferedImage image = ImageFiles.decode(file);
        Raster raster = image.getRaster();
        int bits = raster.getSampleModel().getSampleSize(0);
        boolean indexed = image.getColorModel() instanceof IndexColorModel && bits <= 8;
        boolean gray = image.getColorModel() instanceof ComponentColorModel cm
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && bits == 8
                && raster.getTransferType() == DataBuffer.TYPE_BYTE;
        if (raster.getNumBands() != 1 || !(indexed || gray)) {
            throw ClipWsssException.file(file, "not a label mask: expected an 8-bit palette or grayscale image, got "
                    + raster.getNumBands() + " band(s) of " + bits + " bits ("
                    + image.getColorModel().getClass().getSimpleName() + ")");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        LabelImage labels = LabelImage.blank(w, h);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                labels.data()[y * w + x] = (byte) row[x];
            }
        }
        return labels;
    }
}
