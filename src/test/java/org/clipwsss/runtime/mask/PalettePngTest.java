package org.clipwsss.runtime.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PalettePngTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");

    @TempDir
    Path tmp;

    @Test
    void vocPaletteHasTheDevkitColours() {
        int[] rgb = VocPalette.rgb();
        assertEquals(0x000000, rgb[0]);
        assertEquals(0x800000, rgb[1]);          // aeroplane
        assertEquals(0x008000, rgb[2]);          // bicycle
        assertEquals(0xc08080, rgb[15]);         // person (192, 128, 128)
        assertEquals(0x004080, rgb[20]);         // tvmonitor (0, 64, 128)
        assertEquals(0xe0e0c0, rgb[255]);        // ignore (224, 224, 192)
        IndexColorModel cm = VocPalette.colorModel();
        assertEquals(256, cm.getMapSize());
        for (int i = 0; i < 256; i++) {
            assertEquals(0xff000000 | rgb[i], cm.getRGB(i), "entry " + i);
        }
    }

    @Test
    void readsVocMasksAsClassIndices() throws IOException {
        List<String> classes = Files.readAllLines(VOC.resolve("classes.txt"));
        List<String> lines = Files.readAllLines(VOC.resolve("labels.csv"));
        assertEquals(4, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] parts = line.split(",");
            TreeSet<Integer> expected = new TreeSet<>(List.of(0, 255));
            for (String name : parts[1].split(";")) {
                expected.add(classes.indexOf(name));
            }
            LabelImage mask = PalettePng.read(VOC.resolve("SegmentationClass/" + parts[0] + ".png"));
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), mask.values(), parts[0]);
            Raster8 photo = ImageFiles.read(VOC.resolve("JPEGImages/" + parts[0] + ".jpg"));
            assertEquals(photo.width(), mask.width(), parts[0]);
            assertEquals(photo.height(), mask.height(), parts[0]);
        }
    }

    @Test
    void writeThenReadIsLosslessAndUsesTheVocPalette() throws IOException {
        for (String name : new String[] {"2007_000032", "2007_001763"}) {
            LabelImage mask = PalettePng.read(VOC.resolve("SegmentationClass/" + name + ".png"));
            Path out = tmp.resolve(name + ".png");
            PalettePng.write(out, mask);
            assertEquals(mask, PalettePng.read(out), name);
            BufferedImage decoded = ImageIO.read(out.toFile());
            IndexColorModel cm = (IndexColorModel) decoded.getColorModel();
            assertEquals(0xff800000, cm.getRGB(1));
            assertEquals(0xffe0e0c0, cm.getRGB(255));
            byte[] png = Files.readAllBytes(out);
            assertEquals(8, png[24], "bit depth");
            assertEquals(3, png[25], "colour type: indexed");
        }
        LabelImage all = new LabelImage(16, 16, new byte[256]);
        for (int i = 0; i < 256; i++) {
            all.data()[i] = (byte) i;
        }
        PalettePng.write(tmp.resolve("all.png"), all);
        assertEquals(all, PalettePng.read(tmp.resolve("all.png")), "every value 0..255");
        assertEquals(List.of(tmp.resolve("all.png")), listing(tmp.resolve("all.png")), "no temporary file left");
    }

    @Test
    void readsRawValuesOfGrayPngs() throws IOException {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        byte[] values = {0, 1, 7, 20, (byte) 200, (byte) 255};
        gray.getRaster().setDataElements(0, 0, 3, 2, values);
        Path file = tmp.resolve("gray.png");
        ImageIO.write(gray, "png", file.toFile());
        assertEquals(new LabelImage(3, 2, values), PalettePng.read(file));
    }

    @Test
    void rejectsWhatIsNotALabelMask() throws IOException {
        Path rgb = tmp.resolve("rgb.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", rgb.toFile());
        Path gray16 = tmp.resolve("gray16.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY), "png", gray16.toFile());
        Path junk = tmp.resolve("junk.png");
        Files.write(junk, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        for (Path bad : List.of(rgb, gray16, junk, tmp.resolve("missing.png"))) {
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> PalettePng.read(bad), bad.toString());
            assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    private static List<Path> listing(Path file) throws IOException {
        try (var s = Files.list(file.getParent())) {
            return s.filter(p -> p.getFileName().toString().contains("all")).toList();
        }
    }
}
