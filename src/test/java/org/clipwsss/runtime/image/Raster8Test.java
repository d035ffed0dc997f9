package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class Raster8Test {
    @Test
    void validatesItsShape() {
        assertThrows(IllegalArgumentException.class, () -> new Raster8(2, 2, 2, new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> new Raster8(2, 2, 3, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new Raster8(0, 2, 1, new byte[0]));
    }

    @Test
    void pixelsAreInterleavedRowByRow() {
        Raster8 image = new Raster8(2, 1, 3, new byte[] {1, 2, 3, 4, 5, (byte) 250});
        assertEquals(5, image.get(1, 0, 1));
        assertEquals(250, image.get(1, 0, 2));
    }

    @Test
    void toRgbReplicatesGrayDropsAlphaAndKeepsRgb() {
        assertArrayEquals(new byte[] {7, 7, 7, 9, 9, 9}, new Raster8(2, 1, 1, new byte[] {7, 9}).toRgb().data());
        assertArrayEquals(new byte[] {1, 2, 3, 5, 6, 7},
                new Raster8(2, 1, 4, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).toRgb().data());
        Raster8 rgb = new Raster8(1, 1, 3, new byte[] {1, 2, 3});
        assertSame(rgb, rgb.toRgb());
    }

    @Test
    void cropOutsideTheImageIsZero() {
        Raster8 image = new Raster8(2, 2, 1, new byte[] {1, 2, 3, 4});
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 2, 0, 3, 4}, image.crop(-1, -1, 3, 3).data());
        assertArrayEquals(new byte[] {4, 0, 0, 0}, image.crop(1, 1, 2, 2).data());
        assertArrayEquals(new byte[4], image.crop(5, 0, 2, 2).data());
    }
}
