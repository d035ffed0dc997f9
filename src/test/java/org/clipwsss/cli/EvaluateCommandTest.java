package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvaluateCommandTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final Path GT = VOC.resolve("SegmentationClass");
    static final String CLASSES = VOC.resolve("classes.txt").toString();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new EvaluateCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void scoresAFolderOfMasks() throws Exception {
        Path pred = Files.createDirectory(tmp.resolve("pred"));
        Files.copy(GT.resolve("2007_000032.png"), pred.resolve("2007_000032.png"));
        LabelImage tv = PalettePng.read(GT.resolve("2007_000039.png"));
        LabelImage allBackground = LabelImage.blank(tv.width(), tv.height());
        PalettePng.write(pred.resolve("2007_000039.png"), allBackground);
        PalettePng.write(pred.resolve("stray.png"), allBackground);
        Path json = tmp.resolve("scores.json");

        Result r = run("--pred", pred.toString(), "--gt", GT.toString(), "--classes", CLASSES, "--json", json.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.lines().anyMatch(l -> l.matches("aeroplane\\s+1\\.0000\\s+1\\.0000\\s+1\\.0000.*")), r.out);
        assertTrue(r.out.lines().anyMatch(l -> l.matches("tvmonitor\\s+0\\.0000\\s+-\\s+0\\.0000.*")), r.out);
        assertTrue(r.out.contains("2 images"), r.out);
        assertTrue(r.out.contains(pred.resolve("stray.png") + ": no ground truth"), r.out);
        JsonNode scores = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, scores.get("images").asInt());
        double[] defined = new double[0];
        for (JsonNode c : scores.get("classes")) {
            if (!c.get("iou").isNull()) {
                defined = java.util.Arrays.copyOf(defined, defined.length + 1);
                defined[defined.length - 1] = c.get("iou").asDouble();
            }
        }
        assertEquals(4, defined.length, "background, aeroplane, person, tvmonitor");
        assertEquals(java.util.Arrays.stream(defined).average().orElseThrow(), scores.get("mIoU").asDouble(), 1e-12);
        assertEquals(1, scores.get("problems").size());
        assertTrue(scores.get("classes").get(20).get("precision").isNull());
    }

    @Test
    void sweepsTheBackgroundThresholdOverSavedCams() throws Exception {
        Path cams = Files.createDirectory(tmp.resolve("cams"));
        LabelImage tv = PalettePng.read(GT.resolve("2007_000039.png"));
        float[] map = new float[tv.width() * tv.height()];
        for (int i = 0; i < map.length; i++) {
            map[i] = tv.get(i) == 20 ? 0.8f : 0.3f;
        }
        Npy.write(cams.resolve("2007_000039.npy"), NpyArray.ofFloats(map, 1, tv.height(), tv.width()));
        Files.writeString(cams.resolve("2007_000039.json"),
                new ObjectMapper().writeValueAsString(Map.of("classes", List.of("tvmonitor"))));
        Path json = tmp.resolve("sweep.json");

        Result r = run("--cams", cams.toString(), "--sweep", "0.1:0.9:0.2", "--gt", GT.toString(), "--json",
                json.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("best background threshold 0.3"), r.out);
        JsonNode sweep = new ObjectMapper().readTree(json.toFile());
        assertEquals(0.3, sweep.get("bestThreshold").asDouble(), 1e-7);
        assertEquals(1.0, sweep.get("bestMIoU").asDouble());
        assertEquals(5, sweep.get("thresholds").size());
        assertEquals(1, sweep.get("best").get("images").asInt());
    }

    @Test
    void usageErrorsAndFailures() {
        String gt = GT.toString();
        assertEquals(2, run("--pred", gt, "--cams", gt, "--sweep", "0:1:0.5", "--gt", gt).code, "--pred with --cams");
        assertEquals(2, run("--cams", gt, "--gt", gt).code, "--cams without --sweep");
        Result bad = run("--cams", gt, "--sweep", "0.9:0.1:0.1", "--gt", gt);
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("FROM <= TO"), bad.err);
        assertEquals(2, run("--cams", gt, "--sweep", "0.1:x:0.1", "--gt", gt).code);

        Path missing = tmp.resolve("missing");
        Path json = tmp.resolve("never.json");
        Result r = run("--pred", gt, "--gt", missing.toString(), "--json", json.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains(missing + ": folder not found"), r.err);
        assertFalse(Files.exists(json));
    }
}
