package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import org.junit.jupiter.api.Test;

class BufferedImagesTest {
    private static int[] pixel(Raster8 r, int x, int y) {
        int[] out = new int[r.channels()];
        for (int c = 0; c < out.length; c++) {
            out[c] = r.get(x, y, c);
        }
        return out;
    }

    @Test
    void byteGrayKeepsItsValuesInOneChannel() {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(1, 1, 0, 100);
        Raster8 r = BufferedImages.toRaster(image);
        assertEquals(1, r.channels());
        assertEquals(100, r.get(1, 1, 0)); // getRGB would give 168: Java's gray colour space is linear
        assertEquals(0, r.get(0, 0, 0));
    }

    @Test
    void ushortGrayIsStretchedFromMinToMax() {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(0, 0, 0, 100);
        image.getRaster().setSample(1, 0, 0, 100);
        image.getRaster().setSample(0, 1, 0, 4095);
        image.getRaster().setSample(1, 1, 0, 2097);
        Raster8 r = BufferedImages.toRaster(image);
        assertEquals(1, r.channels());
        assertEquals(0, r.get(0, 0, 0));
        assertEquals(255, r.get(0, 1, 0));
        assertEquals(Math.round((2097 - 100) * 255.0 / 3995), r.get(1, 1, 0));
    }

    @Test
    void rgbTypesGiveRgbInOrder() {
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_BGR}) {
            BufferedImage image = new BufferedImage(2, 2, type);
            image.setRGB(1, 0, 0x102030);
            Raster8 r = BufferedImages.toRaster(image);
            assertEquals(3, r.channels(), "type " + type);
            assertArrayEquals(new int[] {0x10, 0x20, 0x30}, pixel(r, 1, 0), "type " + type);
        }
    }

    @Test
    void alphaTypesGiveRgba() {
        for (int type : new int[] {BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_4BYTE_ABGR}) {
            BufferedImage image = new BufferedImage(2, 2, type);
            image.setRGB(0, 1, 0x80102030);
            Raster8 r = BufferedImages.toRaster(image);
            assertEquals(4, r.channels(), "type " + type);
            assertArrayEquals(new int[] {0x10, 0x20, 0x30, 0x80}, pixel(r, 0, 1), "type " + type);
        }
    }

    @Test
    void palettesAreLookedUp() {
        byte[] red = {0, (byte) 200};
        byte[] green = {0, 10};
        byte[] blue = {0, 20};
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, red, green, blue));
        image.getRaster().setSample(1, 0, 0, 1);
        Raster8 r = BufferedImages.toRaster(image);
        assertEquals(3, r.channels());
        assertArrayEquals(new int[] {200, 10, 20}, pixel(r, 1, 0));

        BufferedImage transparent = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, red, green, blue, 0));
        transparent.getRaster().setSample(1, 0, 0, 1);
        Raster8 t = BufferedImages.toRaster(transparent);
        assertEquals(4, t.channels());
        assertEquals(0, t.get(0, 0, 3));
        assertArrayEquals(new int[] {200, 10, 20, 255}, pixel(t, 1, 0));

        BufferedImage binary = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
        binary.setRGB(2, 0, 0xFFFFFF);
        assertArrayEquals(new int[] {255, 255, 255}, pixel(BufferedImages.toRaster(binary), 2, 0));
    }

    @Test
    void otherTypesGoThroughGetRgb() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_565_RGB);
        image.setRGB(0, 0, 0xF88040);
        int rgb = image.getRGB(0, 0);
        Raster8 r = BufferedImages.toRaster(image);
        assertEquals(3, r.channels());
        assertArrayEquals(new int[] {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff}, pixel(r, 0, 0));
        assertEquals(0x80, pixel(r, 0, 0)[1] & 0xF8);
    }
}
