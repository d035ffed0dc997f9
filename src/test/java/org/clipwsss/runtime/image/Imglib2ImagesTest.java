package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.imglib2.img.array.ArrayImgs;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

class Imglib2ImagesTest {
    @Test
    void argbGivesRgb() {
        Raster8 r = Imglib2Images.toRaster(ArrayImgs.argbs(new int[] {0xFF102030, 0x00405060}, 2, 1));
        assertEquals(3, r.channels());
        assertArrayEquals(new byte[] {0x10, 0x20, 0x30, 0x40, 0x50, 0x60}, r.data());
    }

    @Test
    void unsignedBytesAreTakenAsTheyAre() {
        byte[] values = {3, 7, (byte) 200, 9, 11, 13};
        Raster8 r = Imglib2Images.toRaster(ArrayImgs.unsignedBytes(values, 3, 2));
        assertEquals(1, r.channels());
        assertEquals(3, r.width());
        assertEquals(2, r.height());
        assertArrayEquals(values, r.data());
    }

    @Test
    void otherTypesAreScaledFromMinToMax() {
        Raster8 r = Imglib2Images.toRaster(ArrayImgs.floats(new float[] {-1, 0, 1, Float.NaN}, 4, 1));
        assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255, 0}, r.data());
        Raster8 shorts = Imglib2Images.toRaster(ArrayImgs.unsignedShorts(new short[] {1000, 3000}, 2, 1));
        assertArrayEquals(new byte[] {0, (byte) 255}, shorts.data());
        Raster8 constant = Imglib2Images.toRaster(ArrayImgs.doubles(new double[] {5, 5}, 1, 2));
        assertArrayEquals(new byte[] {0, 0}, constant.data());
    }

    @Test
    void threeChannelsInTheLastDimensionGiveRgb() {
        // planes: R = {10, 20}, G = {30, 40}, B = {50, 60}
        byte[] planar = {10, 20, 30, 40, 50, 60};
        Raster8 r = Imglib2Images.toRaster(ArrayImgs.unsignedBytes(planar, 2, 1, 3));
        assertEquals(3, r.channels());
        assertArrayEquals(new byte[] {10, 30, 50, 20, 40, 60}, r.data());
        Raster8 scaled = Imglib2Images.toRaster(ArrayImgs.floats(new float[] {0, 1, 1, 1, 1, 2}, 2, 1, 3));
        assertArrayEquals(new byte[] {0, (byte) 128, (byte) 128, (byte) 128, (byte) 128, (byte) 255}, scaled.data());
    }

    @Test
    void intervalsNeedNotStartAtZero() {
        byte[] values = {1, 2, 3, 4, 5, 6};
        Raster8 r = Imglib2Images.toRaster(Views.interval(ArrayImgs.unsignedBytes(values, 3, 2),
                new long[] {1, 0}, new long[] {2, 1}));
        assertArrayEquals(new byte[] {2, 3, 5, 6}, r.data());
    }

    @Test
    void rejectsOtherShapes() {
        assertThrows(IllegalArgumentException.class, () -> Imglib2Images.toRaster(ArrayImgs.unsignedBytes(2, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> Imglib2Images.toRaster(ArrayImgs.unsignedBytes(4)));
        assertThrows(IllegalArgumentException.class, () -> Imglib2Images.toRaster(ArrayImgs.argbs(2, 2, 3)));
    }
}
