package org.clipwsss.plugin.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.NewImage;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Color;
import java.util.List;
import org.clipwsss.runtime.image.Raster8;
import org.junit.jupiter.api.Test;

class ImagePlusImagesTest {
    private static int[] pixel(Raster8 r, int x, int y) {
        int[] out = new int[r.channels()];
        for (int c = 0; c < out.length; c++) {
            out[c] = r.get(x, y, c);
        }
        return out;
    }

    @Test
    void eightBitGivesRawGrayValuesPerSlice() {
        ImagePlus imp = NewImage.createByteImage("gray", 4, 3, 2, NewImage.FILL_BLACK);
        imp.getStack().getProcessor(2).putPixel(1, 2, 77);
        imp.setDisplayRange(50, 100); // ignored for 8-bit
        List<Raster8> rasters = ImagePlusImages.toRasters(imp);
        assertEquals(2, rasters.size());
        assertEquals(1, rasters.get(1).channels());
        assertEquals(4, rasters.get(1).width());
        assertEquals(3, rasters.get(1).height());
        assertEquals(77, rasters.get(1).get(1, 2, 0));
        assertEquals(0, rasters.get(0).get(1, 2, 0));
    }

    @Test
    void invertedOrColourLutsAreRenderedToRgb() {
        ByteProcessor bp = new ByteProcessor(2, 1, new byte[] {100, (byte) 200});
        bp.invertLut();
        Raster8 inverted = ImagePlusImages.toRasters(new ImagePlus("inv", bp)).get(0);
        assertEquals(3, inverted.channels());
        assertArrayEquals(new int[] {155, 155, 155}, pixel(inverted, 0, 0));

        ByteProcessor red = new ByteProcessor(2, 1, new byte[] {100, (byte) 200});
        red.setLut(LUT.createLutFromColor(Color.RED));
        Raster8 coloured = ImagePlusImages.toRasters(new ImagePlus("red", red)).get(0);
        assertArrayEquals(new int[] {100, 0, 0}, pixel(coloured, 0, 0));
        assertArrayEquals(new int[] {200, 0, 0}, pixel(coloured, 1, 0));
    }

    @Test
    void sixteenBitIsScaledWithTheDisplayRange() {
        ShortProcessor sp = new ShortProcessor(4, 1, new short[] {1000, 2000, 3000, 5000}, null);
        ImagePlus imp = new ImagePlus("16", sp);
        imp.setDisplayRange(1000, 3000);
        Raster8 r = ImagePlusImages.toRasters(imp).get(0);
        assertEquals(1, r.channels());
        // ImageJ: (v - min) * 256 / (max - min + 1), rounded, clipped
        assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255, (byte) 255}, r.data());
        assertEquals(5000, imp.getProcessor().get(3, 0), "the image itself is not changed");
    }

    @Test
    void thirtyTwoBitIsScaledWithTheDisplayRange() {
        FloatProcessor fp = new FloatProcessor(4, 1, new float[] {-1, 0, 1, 2});
        ImagePlus imp = new ImagePlus("32", fp);
        imp.setDisplayRange(-1, 1);
        Raster8 r = ImagePlusImages.toRasters(imp).get(0);
        assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255, (byte) 255}, r.data());
    }

    @Test
    void sixteenBitStackUsesTheImagesRangeForEverySlice() {
        ImageStack stack = new ImageStack(2, 1);
        stack.addSlice(new ShortProcessor(2, 1, new short[] {0, 100}, null));
        stack.addSlice(new ShortProcessor(2, 1, new short[] {50, 400}, null));
        ImagePlus imp = new ImagePlus("stack", stack);
        imp.setDisplayRange(0, 255);
        List<Raster8> rasters = ImagePlusImages.toRasters(imp);
        assertArrayEquals(new byte[] {0, 100}, rasters.get(0).data());
        assertArrayEquals(new byte[] {50, (byte) 255}, rasters.get(1).data());
    }

    @Test
    void compositeChannelsUseTheirOwnRange() {
        ImageStack stack = new ImageStack(1, 1);
        stack.addSlice(new ShortProcessor(1, 1, new short[] {100}, null));
        stack.addSlice(new ShortProcessor(1, 1, new short[] {100}, null));
        ImagePlus imp = new ImagePlus("channels", stack);
        imp.setDimensions(2, 1, 1);
        CompositeImage ci = new CompositeImage(imp, CompositeImage.COMPOSITE);
        ci.setPosition(1, 1, 1);
        ci.setDisplayRange(0, 255);
        ci.setPosition(2, 1, 1);
        ci.setDisplayRange(0, 100);
        List<Raster8> rasters = ImagePlusImages.toRasters(ci);
        assertEquals(2, rasters.size());
        assertEquals(1, rasters.get(0).channels());
        assertEquals(100, rasters.get(0).get(0, 0, 0));
        assertEquals(253, rasters.get(1).get(0, 0, 0)); // 100 * 256 / 101, ImageJ's 16-bit scaling
    }

    @Test
    void rgbGivesRgb() {
        ImagePlus imp = NewImage.createRGBImage("rgb", 3, 2, 1, NewImage.FILL_BLACK);
        imp.getProcessor().set(2, 1, 0x102030);
        Raster8 r = ImagePlusImages.toRasters(imp).get(0);
        assertEquals(3, r.channels());
        assertArrayEquals(new int[] {0x10, 0x20, 0x30}, pixel(r, 2, 1));
    }
}
