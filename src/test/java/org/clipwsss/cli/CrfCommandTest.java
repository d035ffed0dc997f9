package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrfCommandTest {
    private static final Path CRF = Path.of("src/test/resources/conformance/crf");
    private static final String NAME = "2007_001724"; // 275x315, 1 class: the smallest fixture image

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void writesProbabilitiesAndLabelsAsPydensecrf() throws Exception {
        Path out = tmp.resolve("out/deeper");
        CliRun r = run("crf", "--image", CRF.resolve("images/" + NAME + ".jpg").toString(),
                "--cams", CRF.resolve("cams/" + NAME + ".npy").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("275x315, 1 CAMs"), r.out());

        NpyArray prob = Npy.read(out.resolve("prob.npy"));
        NpyArray label = Npy.read(out.resolve("label.npy"));
        NpyArray refProb = Npy.read(CRF.resolve("reference/" + NAME + ".prob.npy"));
        NpyArray refLabel = Npy.read(CRF.resolve("reference/" + NAME + ".label.npy"));
        assertEquals(NpyArray.DType.FLOAT32, prob.dtype());
        assertArrayEquals(new long[] {2, 315, 275}, prob.shape());
        assertEquals(NpyArray.DType.UINT8, label.dtype());
        assertArrayEquals(new long[] {315, 275}, label.shape());
        float[] p = prob.floats();
        float[] q = refProb.floats();
        double max = 0;
        for (int i = 0; i < p.length; i++) {
            max = Math.max(max, Math.abs(p[i] - q[i]));
        }
        assertTrue(max <= 1e-3, "max |dQ| " + max);
        byte[] l = label.bytes();
        byte[] ref = refLabel.bytes();
        int differ = 0;
        for (int i = 0; i < l.length; i++) {
            differ += l[i] != ref[i] ? 1 : 0;
        }
        assertTrue(differ <= l.length / 2000, differ + " labels differ");
        // the uint8 file as numpy.save writes it: same header as the reference
        byte[] written = Files.readAllBytes(out.resolve("label.npy"));
        byte[] reference = Files.readAllBytes(CRF.resolve("reference/" + NAME + ".label.npy"));
        assertEquals(reference.length, written.length);
        assertArrayEquals(java.util.Arrays.copyOf(reference, 128), java.util.Arrays.copyOf(written, 128));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary files left");
        }
    }

    @Test
    void settingsAreOptions() {
        Path out = tmp.resolve("zero");
        CliRun r = run("crf", "--image", CRF.resolve("tiny/image.png").toString(),
                "--cams", CRF.resolve("tiny/cams.npy").toString(), "--out", out.toString(), "--iterations", "0",
                "--bg-power", "1", "--gaussian-sxy", "1", "--gaussian-weight", "3", "--bilateral-sxy", "67",
                "--bilateral-srgb", "3", "--bilateral-weight", "4", "--confidence", "0.95");
        assertEquals(0, r.code(), r.err());
        float[] q = Npy.read(out.resolve("prob.npy")).floats();
        float[] q0 = Npy.read(CRF.resolve("tiny/q_iter0.npy")).floats();
        for (int i = 0; i < q.length; i++) {
            assertEquals(q0[i], q[i], 1e-6, "softmax(-U) at " + i);
        }
        CliRun bad = run("crf", "--image", CRF.resolve("tiny/image.png").toString(),
                "--cams", CRF.resolve("tiny/cams.npy").toString(), "--out", out.toString(), "--confidence", "2");
        assertEquals(1, bad.code());
        assertEquals("clip-wsss: error: CRF settings: the confidence must be in [0, 1], got 2.0", bad.err().strip());
    }

    @Test
    void benchTimesTheCrfByStage() throws Exception {
        Path json = tmp.resolve("crf.json");
        CliRun r = run("bench", "--crf", "--images", "1", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("500x375, 3 labels, one thread"), r.out());
        assertTrue(r.out().contains("lattices (build + norm)"), r.out());
        String report = Files.readString(json);
        assertTrue(report.contains("\"seconds_per_image\""), report);
        assertTrue(report.contains("\"labels\" : 3"), report);
    }

    @Test
    void camsOfAnotherSizeThanTheImageNameTheFile() {
        Path cams = CRF.resolve("cams/" + NAME + ".npy");
        CliRun r = run("crf", "--image", CRF.resolve("images/2007_008072.jpg").toString(), "--cams", cams.toString(),
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.code(), r.out());
        assertEquals("clip-wsss: error: " + cams + ": CAMs are 275x315 (W x H) but the image is 450x325;"
                + " resize them to the image first", r.err().strip());
        assertTrue(Files.notExists(tmp.resolve("x")));
    }

    @Test
    void wrongRankAndNanAreOneLineErrors() {
        Path image = CRF.resolve("tiny/image.png");
        Path flat = tmp.resolve("flat.npy");
        Npy.write(flat, NpyArray.ofFloats(new float[48 * 36], 48 * 36));
        CliRun r = run("crf", "--image", image.toString(), "--cams", flat.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertEquals("clip-wsss: error: " + flat + ": CAMs must have shape [K, H, W] (or [H, W] for one class),"
                + " got float32 [1728]", r.err().strip());

        Path nan = tmp.resolve("nan.npy");
        float[] v = new float[2 * 36 * 48];
        v[48 * 36 + 5 * 48 + 7] = Float.NaN;
        Npy.write(nan, NpyArray.ofFloats(v, 2, 36, 48));
        r = run("crf", "--image", image.toString(), "--cams", nan.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertEquals("clip-wsss: error: " + nan + ": CAM 1 is NaN at x = 7, y = 5", r.err().strip());
        assertTrue(Files.notExists(tmp.resolve("o")));
    }
}
