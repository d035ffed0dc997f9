package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.runtime.crf.ClipEsCrf;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment --crf}: every pseudo mask is CLIP-ES's dense CRF of the saved CAMs on the image (recomputed here
 * from cams/NAME.npy), mapped to the run's class values; the macro's {@code crf=on} does the same.
 */
class SegmentCrfTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final String TINY = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();

    static int cli(String... args) {
        return org.clipwsss.cli.CliRun.code(args);
    }

    @Test
    void segmentCrfMasksAreTheCrfOfTheSavedCams(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, cli("segment", "--model", TINY, "--input", VOC.resolve("JPEGImages").toString(), "--labels",
                VOC.resolve("labels.csv").toString(), "--classes", VOC.resolve("classes.txt").toString(), "--synonyms", "none",
                "--crf", "--out", out.toString()));
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"crf\" : true"));
        check(out, "2007_001763", new int[] {8, 12, 18});
        check(out, "2007_000032", new int[] {1, 15});
    }

    static void check(Path out, String name, int[] values) {
        NpyArray cams = Npy.read(out.resolve("cams/" + name + ".npy"));
        int k = (int) cams.shape()[0];
        int n = (int) (cams.shape()[1] * cams.shape()[2]);
        float[][] maps = new float[k][];
        for (int c = 0; c < k; c++) {
            maps[c] = java.util.Arrays.copyOfRange(cams.floats(), c * n, (c + 1) * n);
        }
        Raster8 image = ImageFiles.read(VOC.resolve("JPEGImages/" + name + ".jpg"));
        ClipEsCrf.Result r = ClipEsCrf.run(image, maps);
        byte[] expected = new byte[n];
        boolean uncertain = false;
        for (int i = 0; i < n; i++) {
            int l = r.label()[i] & 0xFF;
            uncertain |= l == 255;
            expected[i] = (byte) (l == 0 ? 0 : l == 255 ? 255 : values[l - 1]);
        }
        LabelImage mask = PalettePng.read(out.resolve("masks/" + name + ".png"));
        assertArrayEquals(expected, mask.data(), name);
        assertTrue(uncertain || k > 0, name);
    }

    @Test
    void theBatchMacroTakesCrf(@TempDir Path tmp) throws Exception {
        org.clipwsss.plugin.MacroTestAccess.setUp();
        Path out = tmp.resolve("macro");
        String log = org.clipwsss.plugin.MacroTestAccess.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Batch\", \"input=["
                + VOC.resolve("JPEGImages").toAbsolutePath() + "] labels=[" + VOC.resolve("labels.csv").toAbsolutePath() + "] classes=["
                + VOC.resolve("classes.txt").toAbsolutePath() + "] output=[" + out + "] model=[" + TINY + "] synonyms=none crf=on\");"));
        assertTrue(log.contains("3 images: 3 done"), log);
        check(out, "2007_001763", new int[] {8, 12, 18});
    }

    @Test
    void evaluateCrfScoresTheSameMasksAsSegmentCrf(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, cli("segment", "--model", TINY, "--input", VOC.resolve("JPEGImages").toString(), "--labels",
                VOC.resolve("labels.csv").toString(), "--classes", VOC.resolve("classes.txt").toString(), "--synonyms", "none",
                "--crf", "--out", out.toString()));
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        String classes = VOC.resolve("classes.txt").toString();
        String gt = VOC.resolve("SegmentationClass").toString();
        assertEquals(0, cli("evaluate", "--pred", out.resolve("masks").toString(), "--gt", gt, "--classes", classes, "--json", a.toString()));
        assertEquals(0, cli("evaluate", "--cams", out.resolve("cams").toString(), "--crf", "--images", VOC.resolve("JPEGImages").toString(),
                "--gt", gt, "--classes", classes, "--json", b.toString()));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        double miouA = json.readTree(a.toFile()).path("mIoU").asDouble(Double.NaN);
        double miouB = json.readTree(b.toFile()).path("mIoU").asDouble(Double.NaN);
        assertTrue(!Double.isNaN(miouA), Files.readString(a));
        assertEquals(miouA, miouB, 1e-12, "the same CRF on the same CAMs");
        assertEquals(2, cli("evaluate", "--cams", out.resolve("cams").toString(), "--gt", gt), "--cams needs --sweep or --crf");
        assertEquals(2, cli("evaluate", "--cams", out.resolve("cams").toString(), "--crf", "--gt", gt), "--crf needs --images");
    }
}
