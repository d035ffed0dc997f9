package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CAMs stored small and in float16: the files shrink, the masks stay the full-size ones, evaluate reads them back. */
class CamStorageTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final String TINY = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();

    @Test
    void smallFloat16CamsKeepFullSizeMasksAndEvaluate(@TempDir Path tmp) throws Exception {
        String[] common = {"segment", "--model", TINY, "--input", VOC.resolve("JPEGImages").toString(), "--labels",
            VOC.resolve("labels.csv").toString(), "--classes", VOC.resolve("classes.txt").toString(), "--synonyms", "none"};
        Path full = tmp.resolve("full");
        Path small = tmp.resolve("small");
        assertEquals(0, CliRun.code(concat(common, "--out", full.toString())));
        assertEquals(0, CliRun.code(concat(common, "--out", small.toString(), "--cam-resolution", "64", "--cam-dtype", "float16")));
        NpyArray a = Npy.read(full.resolve("cams/2007_000032.npy"));
        NpyArray b = Npy.read(small.resolve("cams/2007_000032.npy"));
        assertArrayEquals(new long[] {2, 281, 500}, a.shape());
        assertArrayEquals(new long[] {2, 36, 64}, b.shape());
        assertEquals(NpyArray.DType.FLOAT16, b.dtype());
        for (String n : new String[] {"2007_000032", "2007_000039", "2007_001763"}) {
            assertArrayEquals(PalettePng.read(full.resolve("masks/" + n + ".png")).data(), PalettePng.read(small.resolve("masks/" + n + ".png")).data(),
                    n + ": the mask is made from the full-size CAMs");
        }
        String gt = VOC.resolve("SegmentationClass").toString();
        String classes = VOC.resolve("classes.txt").toString();
        Path ja = tmp.resolve("a.json");
        Path jb = tmp.resolve("b.json");
        assertEquals(0, CliRun.code("evaluate", "--cams", full.resolve("cams").toString(), "--gt", gt, "--classes", classes, "--sweep",
                "0.2:0.8:0.1", "--json", ja.toString()));
        assertEquals(0, CliRun.code("evaluate", "--cams", small.resolve("cams").toString(), "--gt", gt, "--classes", classes, "--sweep",
                "0.2:0.8:0.1", "--json", jb.toString()));
        ObjectMapper json = new ObjectMapper();
        double ma = json.readTree(ja.toFile()).path("best").path("mIoU").asDouble(Double.NaN);
        double mb = json.readTree(jb.toFile()).path("best").path("mIoU").asDouble(Double.NaN);
        System.out.println("best sweep mIoU: full float32 " + ma + ", 64 px float16 " + mb);
        assertTrue(Math.abs(ma - mb) < 0.05, ma + " vs " + mb);
        // a rerun with other storage settings is another run
        CliRun r = CliRun.of(concat(common, "--out", small.toString()));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cam_storage"), r.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
