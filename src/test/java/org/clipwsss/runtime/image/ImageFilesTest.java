package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    private static final Path IMAGES = Path.of("src/test/resources/conformance/preprocess/images");

    @TempDir
    Path tmp;

    @Test
    void readsModesAsPilDoes() {
        Raster8 gray = ImageFiles.read(IMAGES.resolve("gray_300x180.png"));
        assertEquals(1, gray.channels());
        assertEquals(300, gray.width());
        assertEquals(180, gray.height());
        assertEquals(4, ImageFiles.read(IMAGES.resolve("rgba_256.png")).channels());
        Raster8 jpeg = ImageFiles.read(IMAGES.resolve("2008_004172.jpg"));
        assertEquals(3, jpeg.channels());
        assertEquals(339, jpeg.width());
        assertEquals(500, jpeg.height());
    }

    @Test
    void roundTripsAPng() throws IOException {
        BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 2, 0xA1B2C3);
        Path file = tmp.resolve("rgb.png");
        ImageIO.write(image, "png", file.toFile());
        Raster8 r = ImageFiles.read(file);
        assertEquals(BufferedImages.toRaster(image), r);
        assertEquals(0xB2, r.get(3, 2, 1));
    }

    @Test
    void sixteenBitGrayPngAndTiffAreStretched() throws IOException {
        BufferedImage image = new BufferedImage(3, 3, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(2, 1, 0, 0x0FFF); // a 12-bit microscope's maximum; the rest is 0
        for (String format : new String[] {"png", "tiff"}) {
            Path file = tmp.resolve("gray16." + format);
            ImageIO.write(image, format, file.toFile());
            Raster8 r = ImageFiles.read(file);
            assertEquals(1, r.channels(), format);
            assertEquals(255, r.get(2, 1, 0), format);
            assertEquals(0, r.get(0, 0, 0), format);
        }
    }

    @Test
    void missingFileNamesIt() {
        Path missing = tmp.resolve("missing.png");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ImageFiles.read(missing));
        assertEquals(missing + ": file not found", e.getMessage());
    }

    @Test
    void corruptOrForeignFilesNameTheFile() throws IOException {
        byte[] png = Files.readAllBytes(IMAGES.resolve("tiny_100x70.png"));
        Path truncated = Files.write(tmp.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "not an image at all");
        Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
        for (Path bad : new Path[] {truncated, text, empty, tmp}) {
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> ImageFiles.read(bad), bad.toString());
            assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void floatTiffsAreStretchedFromMinimumToMaximumAndNanIsRefused() throws IOException {
        java.awt.color.ColorSpace gray = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY);
        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(gray, false, false,
                java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_FLOAT);
        java.awt.image.WritableRaster r = cm.createCompatibleWritableRaster(4, 3);
        for (int i = 0; i < 12; i++) {
            r.setSample(i % 4, i / 4, 0, 0.25f + i * 0.5f); // 0.25 .. 5.75, as a microscope's float export
        }
        Path file = tmp.resolve("float.tif");
        assertTrue(ImageIO.write(new BufferedImage(cm, r, false, null), "tiff", file.toFile()), "ImageIO writes float TIFFs");
        Raster8 img = ImageFiles.read(file);
        assertEquals(1, img.channels());
        assertEquals(0, img.get(0, 0, 0));
        assertEquals(255, img.get(3, 2, 0));
        assertEquals(Math.round(5 * 255.0 / 11), img.get(1, 1, 0));
        r.setSample(2, 1, 0, Float.NaN);
        Path nan = tmp.resolve("nan.tif");
        ImageIO.write(new BufferedImage(cm, r, false, null), "tiff", nan.toFile());
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ImageFiles.read(nan));
        assertTrue(e.getMessage().startsWith(nan + ": float image with a NaN pixel at x = 2, y = 1"), e.getMessage());
    }

    @Test
    void aStripTooElongatedForClipsResizeIsAClearError() {
        Raster8 strip = Raster8.blank(1, 400_000, 3);
        ClipPreprocessor pre = new ClipPreprocessor(PreprocessConfig.clipDefaults(224));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> pre.preprocess(strip));
        assertTrue(e.getMessage().startsWith("image of 1x400000 is too elongated for CLIP's preprocessing"), e.getMessage());
    }
}
