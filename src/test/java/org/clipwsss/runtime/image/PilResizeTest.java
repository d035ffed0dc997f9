package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class PilResizeTest {
    private static Raster8 random(int w, int h, int channels, long seed) {
        byte[] data = new byte[w * h * channels];
        new Random(seed).nextBytes(data);
        return new Raster8(w, h, channels, data);
    }

    /** Every sample {@code value}; RGBA opaque (a translucent colour does not survive PIL's premultiplication). */
    private static Raster8 constant(int w, int h, int channels, int value) {
        byte[] data = new byte[w * h * channels];
        Arrays.fill(data, (byte) value);
        for (int i = 3; channels == 4 && i < data.length; i += 4) {
            data[i] = (byte) 255;
        }
        return new Raster8(w, h, channels, data);
    }

    @Test
    void unchangedSizeReturnsTheImage() {
        Raster8 image = random(13, 7, 3, 1);
        assertSame(image, PilResize.resize(image, 13, 7, ResampleFilter.BICUBIC));
    }

    @ParameterizedTest
    @CsvSource({"40,30,17,11", "40,30,97,61", "40,30,40,61", "40,30,17,30", "5,3,224,224", "300,2,7,1"})
    void givesTheAskedSizeAndKeepsConstantImagesConstant(int w, int h, int outW, int outH) {
        for (ResampleFilter filter : ResampleFilter.values()) {
            for (int channels : new int[] {1, 3, 4}) {
                Raster8 out = PilResize.resize(constant(w, h, channels, 201), outW, outH, filter);
                assertEquals(outW, out.width());
                assertEquals(outH, out.height());
                assertEquals(channels, out.channels());
                assertArrayEquals(constant(outW, outH, channels, 201).data(), out.data(), filter + " " + channels);
            }
        }
    }

    @Test
    void downscaleUsesTheWidenedAntialiasingKernel() {
        // Halving with the triangle filter: support 2, taps at distances 0.25, 0.25, 0.75 -> weights 3/7, 3/7, 1/7.
        Raster8 row = new Raster8(4, 1, 1, new byte[] {0, 70, (byte) 140, (byte) 210});
        Raster8 out = PilResize.resize(row, 2, 1, ResampleFilter.BILINEAR);
        assertArrayEquals(new byte[] {50, (byte) 160}, out.data());
    }

    @ParameterizedTest
    @EnumSource(ResampleFilter.class)
    void resizesARowLikeAColumn(ResampleFilter filter) {
        byte[] line = random(31, 1, 1, 2).data();
        Raster8 row = PilResize.resize(new Raster8(31, 1, 1, line), 12, 1, filter);
        Raster8 column = PilResize.resize(new Raster8(1, 31, 1, line), 1, 12, filter);
        assertArrayEquals(row.data(), column.data());
        Raster8 up = PilResize.resize(new Raster8(31, 1, 1, line), 77, 1, filter);
        assertArrayEquals(up.data(), PilResize.resize(new Raster8(1, 31, 1, line), 1, 77, filter).data());
    }

    @Test
    void rgbChannelsAreResizedIndependentlyLikeGray() {
        Raster8 rgb = random(20, 15, 3, 3);
        Raster8 out = PilResize.resize(rgb, 9, 33, ResampleFilter.BICUBIC);
        for (int c = 0; c < 3; c++) {
            byte[] plane = new byte[20 * 15];
            for (int i = 0; i < plane.length; i++) {
                plane[i] = rgb.data()[3 * i + c];
            }
            Raster8 gray = PilResize.resize(new Raster8(20, 15, 1, plane), 9, 33, ResampleFilter.BICUBIC);
            for (int i = 0; i < 9 * 33; i++) {
                assertEquals(gray.data()[i], out.data()[3 * i + c]);
            }
        }
    }

    @Test
    void rgbaIsResizedPremultipliedSoTransparentColoursDoNotBleed() {
        // two transparent red pixels, two opaque blue ones
        byte[] data = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, 0, 0, (byte) 255, (byte) 255, 0, 0, (byte) 255, (byte) 255};
        Raster8 out = PilResize.resize(new Raster8(4, 1, 4, data), 2, 1, ResampleFilter.BILINEAR);
        assertEquals(0, out.get(0, 0, 0), "red leaked from transparent pixels");
        assertEquals(255, out.get(0, 0, 2));
        assertEquals(36, out.get(0, 0, 3)); // 255 / 7
    }

    @Test
    void premultiplyRoundsAsPillowsMulDiv255AndUnpremultiplyTruncates() {
        Raster8 rgba = new Raster8(1, 1, 4, new byte[] {(byte) 200, 1, (byte) 255, (byte) 128});
        Raster8 pre = PilResize.premultiply(rgba);
        assertArrayEquals(new byte[] {100, 1, (byte) 128, (byte) 128}, pre.data());
        // 255 * 100 / 128 = 199.2 -> 199; 255 * 1 / 128 = 1.99 -> 1 (no rounding)
        assertArrayEquals(new byte[] {(byte) 199, 1, (byte) 255, (byte) 128}, PilResize.unpremultiply(pre).data());
    }

    @Test
    void rejectsEmptyTargets() {
        assertThrows(IllegalArgumentException.class, () -> PilResize.resize(random(3, 3, 1, 4), 0, 3, ResampleFilter.BICUBIC));
    }

    @Test
    void filtersHavePilCodes() {
        assertEquals(ResampleFilter.BICUBIC, ResampleFilter.fromPilCode(3));
        assertEquals(ResampleFilter.BILINEAR, ResampleFilter.fromPilCode(2));
        assertThrows(IllegalArgumentException.class, () -> ResampleFilter.fromPilCode(1));
    }
}
