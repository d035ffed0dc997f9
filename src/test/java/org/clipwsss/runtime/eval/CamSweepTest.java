package org.clipwsss.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.BackgroundScore;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.clipwsss.runtime.mask.PseudoMasks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CamSweepTest {
    static final List<String> NAMES = MaskEvaluationTest.NAMES; // background, cat, dog

    @TempDir
    Path tmp;

    @Test
    void thresholdsIncludeTheEndAndAreRounded() {
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f}, CamSweep.thresholds(0f, 1f, 0.25f));
        float[] tenths = CamSweep.thresholds(0.1f, 0.9f, 0.1f);
        assertEquals(9, tenths.length);
        assertEquals(0.3f, tenths[2]);
        assertEquals(0.9f, tenths[8]);
        assertArrayEquals(new float[] {0.5f}, CamSweep.thresholds(0.5f, 0.5f, 0.1f));
        assertThrows(IllegalArgumentException.class, () -> CamSweep.thresholds(0.5f, 0.1f, 0.1f));
        assertThrows(IllegalArgumentException.class, () -> CamSweep.thresholds(0f, 1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> CamSweep.thresholds(0f, 1f, 1e-6f));
    }

    /**
     * "one" (10x4): cat in columns 0-4, one ignored pixel. Its cat map is 0.45 in column 0, 0.7 in columns 1-4,
     * 0.4 in columns 5-6 (a false alarm) and 0.2 elsewhere, so only t = 0.4 gets the mask exactly right (the 0.4
     * columns tie with the background, which wins ties). "two" (2x4) is all dog with a dog map of 0.6.
     */
    @Test
    void findsTheBestThresholdAndAgreesWithMaskEvaluation() throws IOException {
        Path cams = Files.createDirectory(tmp.resolve("cams"));
        Path gt = Files.createDirectory(tmp.resolve("gt"));
        LabelImage one = LabelImage.blank(10, 4);
        float[] catMap = new float[40];
        float[] columns = {0.45f, 0.7f, 0.7f, 0.7f, 0.7f, 0.4f, 0.4f, 0.2f, 0.2f, 0.2f};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 10; x++) {
                one.set(x, y, x < 5 ? 1 : 0);
                catMap[y * 10 + x] = columns[x];
            }
        }
        one.set(9, 3, LabelImage.IGNORE);
        save(cams, gt, "one", one, List.of("cat"), catMap);
        LabelImage two = new LabelImage(2, 4, new byte[] {2, 2, 2, 2, 2, 2, 2, 2});
        float[] dogMap = {0.6f, 0.6f, 0.6f, 0.6f, 0.6f, 0.6f, 0.6f, 0.6f};
        save(cams, gt, "two", two, List.of("dog"), dogMap);
        save(cams, gt, "three", two, List.of("zebra"), dogMap);
        save(cams, null, "four", two, List.of("dog"), dogMap);
        save(cams, gt, "five", two, null, dogMap);

        SweepResult r = CamSweep.evaluate(cams, gt, NAMES, 0.1f, 0.9f, 0.1f);
        assertEquals(9, r.points().size());
        assertEquals(0.4f, r.bestThreshold());
        assertEquals(1.0, r.best().meanIoU(), 1e-12);
        assertEquals(2, r.best().images());
        // t = 0.1: everything in "one" is cat (20 right, 19 background wrong); "two" is right
        assertEquals((20 / 39.0 + 0 + 1) / 3, r.points().get(0).meanIoU(), 1e-12);
        assertEquals(List.of("five.json", "four.npy", "three.json"), r.best().problems().stream()
                .map(p -> Path.of(p.substring(0, p.indexOf(": "))).getFileName().toString()).toList());
        assertTrue(r.best().problems().get(2).contains("\"zebra\" is not in the class list"), r.best().problems().toString());

        for (SweepResult.Point p : r.points()) {
            Path masks = Files.createDirectories(tmp.resolve("masks-" + p.threshold()));
            PalettePng.write(masks.resolve("one.png"), PseudoMasks.of(new float[][] {catMap}, 10, 4, new int[] {1},
                    BackgroundScore.constant(p.threshold()), 0));
            PalettePng.write(masks.resolve("two.png"), PseudoMasks.of(new float[][] {dogMap}, 2, 4, new int[] {2},
                    BackgroundScore.constant(p.threshold()), 0));
            EvaluationResult direct = MaskEvaluation.evaluate(masks, gt, NAMES);
            assertEquals(direct.meanIoU(), p.meanIoU(), 1e-12, "t = " + p.threshold());
            assertEquals(direct.pixelAccuracy(), p.pixelAccuracy(), 1e-12, "t = " + p.threshold());
        }

        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertEquals(0.4, json.get("bestThreshold").asDouble(), 1e-7);
        assertEquals(9, json.get("thresholds").size());
        assertEquals(3, json.get("best").get("problems").size());
        assertTrue(r.toTable().contains("0.4   1.0000"), r.toTable());
        assertTrue(r.toTable().contains("best background threshold 0.4"), r.toTable());
    }

    @Test
    void aMapCountThatDisagreesWithItsClassesIsAProblem() throws IOException {
        Path cams = Files.createDirectory(tmp.resolve("cams"));
        Path gt = Files.createDirectory(tmp.resolve("gt"));
        LabelImage two = new LabelImage(2, 1, new byte[] {2, 0});
        save(cams, gt, "x", two, List.of("dog", "cat"), new float[] {0.6f, 0.1f});
        SweepResult r = CamSweep.evaluate(cams, gt, NAMES, 0f, 1f, 0.5f);
        assertEquals(0, r.best().images());
        assertTrue(r.best().problems().get(0).contains("float32 or float16 [2,H,W]"), r.best().problems().toString());
        assertTrue(Double.isNaN(r.best().meanIoU()));
        assertEquals(0f, r.bestThreshold(), "nothing scored: the first threshold");
    }

    /** Writes NAME.npy ([K,H,W], one map each), NAME.json naming {@code classes} (unless null) and gt/NAME.png. */
    private static void save(Path cams, Path gt, String name, LabelImage truth, List<String> classes, float[]... maps)
            throws IOException {
        int size = truth.width() * truth.height();
        float[] data = new float[maps.length * size];
        for (int k = 0; k < maps.length; k++) {
            System.arraycopy(maps[k], 0, data, k * size, size);
        }
        Npy.write(cams.resolve(name + ".npy"), NpyArray.ofFloats(data, maps.length, truth.height(), truth.width()));
        if (classes != null) {
            Files.writeString(cams.resolve(name + ".json"),
                    new ObjectMapper().writeValueAsString(Map.of("classes", classes, "model", "test")));
        }
        if (gt != null) {
            PalettePng.write(gt.resolve(name + ".png"), truth);
        }
    }
}
