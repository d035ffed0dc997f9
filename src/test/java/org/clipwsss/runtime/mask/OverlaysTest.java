package org.clipwsss.runtime.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.clipwsss.runtime.image.Raster8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlaysTest {
    @TempDir
    Path tmp;

    @Test
    void jetRunsFromBlueToRed() {
        assertEquals(0x000080, Overlays.jet(0f), "dark blue");
        assertEquals(0x80ff80, Overlays.jet(0.5f), "green in the middle");
        assertEquals(0x800000, Overlays.jet(1f), "dark red");
    }

    @Test
    void blendsTheImageWithTheMaxOfTheMaps() throws Exception {
        Raster8 gray = new Raster8(2, 1, 1, new byte[] {100, (byte) 200});
        float[][] cams = {{0f, 0.2f}, {0f, 1f}};
        BufferedImage out = Overlays.render(gray, cams, 2, 1);
        assertEquals(((100 + 1) / 2 << 16) | ((100 + 1) / 2 << 8) | (100 + 0x80 + 1) / 2, out.getRGB(0, 0) & 0xffffff);
        assertEquals(((200 + 0x80 + 1) / 2 << 16) | ((200 + 1) / 2 << 8) | (200 + 1) / 2, out.getRGB(1, 0) & 0xffffff);
        assertEquals(0x646464, Overlays.render(gray, new float[0][], 2, 1).getRGB(0, 0) & 0xffffff, "no maps");

        BufferedImage bigger = Overlays.render(Raster8.blank(8, 4, 3), new float[][] {{1f, 1f, 1f, 1f}}, 2, 2);
        assertEquals(8, bigger.getWidth());
        assertEquals(0x400000, bigger.getRGB(7, 3) & 0xffffff, "maps resized to the image");
        Path file = tmp.resolve("o.png");
        Overlays.writePng(file, bigger);
        assertEquals(0x400000, ImageIO.read(file.toFile()).getRGB(7, 3) & 0xffffff);
    }

    /** The table-driven blend gives the pixels of the formula: jet(level / 255) of the 8-bit heat, averaged with the image. */
    @Test
    void matchesThePerPixelFormula() {
        java.util.Random r = new java.util.Random(3);
        int w = 37;
        int h = 23;
        byte[] rgb = new byte[w * h * 3];
        r.nextBytes(rgb);
        Raster8 image = new Raster8(w, h, 3, rgb);
        int mw = 19;
        int mh = 11;
        float[][] cams = new float[2][mw * mh];
        for (float[] cam : cams) {
            for (int i = 0; i < cam.length; i++) {
                cam[i] = r.nextFloat() * 1.2f - 0.1f;
            }
        }
        byte[] max = new byte[mw * mh];
        for (int i = 0; i < max.length; i++) {
            max[i] = (byte) Math.round(Math.min(1f, Math.max(0f, Math.max(cams[0][i], cams[1][i]))) * 255f);
        }
        Raster8 heat = org.clipwsss.runtime.image.PilResize.resize(new Raster8(mw, mh, 1, max), w, h,
                org.clipwsss.runtime.image.ResampleFilter.BILINEAR);
        BufferedImage out = Overlays.render(image, cams, mw, mh);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int jet = Overlays.jet(heat.get(x, y, 0) / 255f);
                int red = (image.get(x, y, 0) + (jet >> 16) + 1) / 2;
                int green = (image.get(x, y, 1) + ((jet >> 8) & 0xff) + 1) / 2;
                int blue = (image.get(x, y, 2) + (jet & 0xff) + 1) / 2;
                assertEquals((red << 16) | (green << 8) | blue, out.getRGB(x, y) & 0xffffff, x + "," + y);
            }
        }
    }
}
