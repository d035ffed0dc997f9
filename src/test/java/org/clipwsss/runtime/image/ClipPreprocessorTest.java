package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClipPreprocessorTest {
    private static final ClipPreprocessor CLIP = new ClipPreprocessor(PreprocessConfig.defaults());

    /** Each pixel's first channel is its column, the second its row. */
    private static Raster8 coordinates(int w, int h) {
        Raster8 image = Raster8.blank(w, h, 3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.set(x, y, 0, x);
                image.set(x, y, 1, y);
            }
        }
        return image;
    }

    private static Raster8 random(int w, int h, int channels) {
        byte[] data = new byte[w * h * channels];
        new Random(w * 31L + h).nextBytes(data);
        return new Raster8(w, h, channels, data);
    }

    @ParameterizedTest
    @CsvSource({"500,375,298,224", "339,500,224,330", "100,70,320,224", "1200,150,1792,224", "224,224,224,224",
        "256,256,224,224"})
    void resizesTheShortestEdgeAndTruncatesTheLongOne(int w, int h, int outW, int outH) {
        Raster8 out = ClipPreprocessor.resizeShortestEdge(Raster8.blank(w, h, 1), 224, ResampleFilter.BICUBIC);
        assertEquals(outW, out.width());
        assertEquals(outH, out.height());
    }

    @ParameterizedTest
    @CsvSource({"225,0", "226,1", "227,2", "229,2", "231,4"})
    void centreCropOffsetRoundsHalfToEven(int side, int expectedOffset) {
        Raster8 cropped = ClipPreprocessor.centerCrop(coordinates(side, side), 224, 224);
        assertEquals(224, cropped.width());
        assertEquals(224, cropped.height());
        assertEquals(expectedOffset, cropped.get(0, 0, 0));
        assertEquals(expectedOffset, cropped.get(0, 0, 1));
    }

    @Test
    void centreCropPadsSmallImagesWithZeros() {
        Raster8 image = coordinates(101, 50);
        for (int i = 0; i < 101 * 50; i++) {
            image.data()[3 * i + 2] = (byte) 255;
        }
        Raster8 cropped = ClipPreprocessor.centerCrop(image, 224, 224);
        // torchvision pads (224 - 101) // 2 = 61 left, (224 - 50) // 2 = 87 on top
        assertEquals(255, cropped.get(61, 87, 2));
        assertEquals(0, cropped.get(60, 87, 2));
        assertEquals(0, cropped.get(61, 86, 2));
        assertEquals(255, cropped.get(61 + 100, 87 + 49, 2));
        assertEquals(100, cropped.get(61 + 100, 87, 0));
        assertEquals(0, cropped.get(61 + 101, 87 + 49, 2));
        assertEquals(0, cropped.get(61, 87 + 50, 2));
    }

    @Test
    void centreCropOfTheExactSizeIsTheImage() {
        Raster8 image = coordinates(224, 224);
        assertSame(image, ClipPreprocessor.centerCrop(image, 224, 224));
    }

    @Test
    void normalisesAsTorchInFloat32() {
        byte[] data = new byte[224 * 224 * 3];
        java.util.Arrays.fill(data, (byte) 200);
        float[] out = CLIP.preprocess(new Raster8(224, 224, 3, data));
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        int plane = 224 * 224;
        assertEquals(3 * plane, out.length);
        for (int c = 0; c < 3; c++) {
            float expected = (200f / 255f - mean[c]) / std[c];
            assertEquals(expected, out[c * plane], 0f);
            assertEquals(expected, out[c * plane + plane - 1], 0f);
        }
    }

    @Test
    void grayIsResizedAsOneChannelThenReplicated() {
        Raster8 gray = random(300, 180, 1);
        Raster8 rgb = gray.toRgb();
        assertArrayEquals(CLIP.preprocess(rgb), CLIP.preprocess(gray));
    }

    @Test
    void opaqueRgbaGivesTheSameAsRgb() {
        Raster8 rgb = random(250, 260, 3);
        byte[] rgba = new byte[250 * 260 * 4];
        for (int i = 0; i < 250 * 260; i++) {
            System.arraycopy(rgb.data(), 3 * i, rgba, 4 * i, 3);
            rgba[4 * i + 3] = (byte) 255;
        }
        assertArrayEquals(CLIP.preprocess(rgb), CLIP.preprocess(new Raster8(250, 260, 4, rgba)));
    }

    @Test
    void batchesImagesOfAnySize() {
        List<Raster8> images = List.of(random(500, 375, 3), random(40, 90, 1));
        float[] batch = CLIP.preprocess(images);
        int per = 3 * 224 * 224;
        assertEquals(2 * per, batch.length);
        assertArrayEquals(CLIP.preprocess(images.get(1)), java.util.Arrays.copyOfRange(batch, per, 2 * per));
        assertEquals(0, CLIP.preprocess(List.of()).length);
    }

    @Test
    void resizesToAGivenSizeWithoutCropping() {
        Raster8 image = random(500, 375, 3);
        float[] out = CLIP.preprocessResized(image, 96, 64);
        assertEquals(3 * 96 * 64, out.length);
        Raster8 resized = PilResize.resize(image, 96, 64, ResampleFilter.BICUBIC);
        assertArrayEquals(CLIP.preprocessResized(resized, 96, 64), out);
        float[] viaSquare = CLIP.preprocess(PilResize.resize(image, 224, 224, ResampleFilter.BICUBIC));
        assertArrayEquals(viaSquare, CLIP.preprocessResized(image, 224, 224));
    }

    @Test
    void sizeIsTheCropSide() {
        assertEquals(224, CLIP.size());
        PreprocessConfig noCrop = PreprocessConfig.parse("{\"do_center_crop\": false}");
        assertThrows(IllegalStateException.class, () -> new ClipPreprocessor(noCrop).size());
        PreprocessConfig exact = PreprocessConfig.parse("{\"do_center_crop\": false, \"size\": {\"height\": 96, \"width\": 96}}");
        assertEquals(96, new ClipPreprocessor(exact).size());
        assertEquals(3 * 96 * 96, new ClipPreprocessor(exact).preprocess(random(200, 100, 3)).length);
    }

    @Test
    void followsTheConfig() {
        PreprocessConfig config = PreprocessConfig.parse("{\"size\": 64, \"crop_size\": {\"height\": 48, \"width\": 32},"
                + " \"do_normalize\": false, \"resample\": 2}");
        Raster8 image = random(100, 80, 3);
        float[] out = new ClipPreprocessor(config).preprocess(image);
        assertEquals(3 * 48 * 32, out.length);
        Raster8 expected = ClipPreprocessor.centerCrop(PilResize.resize(image, 80, 64, ResampleFilter.BILINEAR), 32, 48);
        assertEquals(expected.get(0, 0, 0) / 255f, out[0], 0f);
        assertEquals(expected.get(31, 47, 2) / 255f, out[out.length - 1], 0f);

        PreprocessConfig raw = PreprocessConfig.parse("{\"do_resize\": false, \"do_center_crop\": false,"
                + " \"do_rescale\": false, \"do_normalize\": false}");
        float[] values = new ClipPreprocessor(raw).preprocess(image);
        assertEquals(image.get(7, 3, 1), values[100 * 80 + 3 * 100 + 7], 0f);
    }
}
