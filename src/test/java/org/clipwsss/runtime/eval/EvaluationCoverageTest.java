package org.clipwsss.runtime.eval;

import static org.clipwsss.runtime.eval.ConfusionMatrixTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report says which masks were left out of the scores, and when nothing was scored. */
class EvaluationCoverageTest {
    static final List<String> NAMES = List.of("background", "cat");

    @TempDir
    Path tmp;

    @Test
    void countsGroundTruthWithoutPredictionsAndSizeMismatches() throws IOException {
        Path pred = Files.createDirectory(tmp.resolve("pred"));
        Path gt = Files.createDirectory(tmp.resolve("gt"));
        for (int i = 0; i < 8; i++) {
            PalettePng.write(gt.resolve("g" + i + ".png"), row(0, 1));
        }
        PalettePng.write(pred.resolve("g0.png"), row(0, 1));      // scored
        PalettePng.write(pred.resolve("g1.png"), row(0, 1, 1));   // another size
        PalettePng.write(pred.resolve("zz.png"), row(0, 1));      // no ground truth
        EvaluationResult r = MaskEvaluation.evaluate(pred, gt, NAMES);
        assertEquals(1, r.images());
        assertFalse(r.nothingScored());
        assertEquals(8, r.coverage().groundTruth());
        assertEquals(List.of("g2", "g3", "g4", "g5", "g6", "g7"), r.coverage().withoutPrediction());
        assertEquals(1, r.coverage().withoutGroundTruth());
        assertEquals(1, r.coverage().sizeMismatches());
        assertEquals("6 of 8 ground-truth masks have no prediction (g2, g3, g4, g5, g6, ... 1 more); "
                + "1 prediction has no ground truth; 1 prediction is not the size of its ground truth", r.leftOutSummary());
        String table = r.toTable();
        assertTrue(table.contains("left out: 6 of 8"), table);
        assertFalse(table.contains("NOTHING"), table);
        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertEquals(8, json.get("groundTruthMasks").asInt());
        assertEquals(6, json.get("withoutPrediction").size());
        assertEquals(1, json.get("sizeMismatches").asInt());
        assertEquals(1, json.get("withoutGroundTruth").asInt());
        assertFalse(json.get("nothingScored").asBoolean());
    }

    @Test
    void nothingScoredIsSaidAndLongProblemListsAreCutInTheTable() throws IOException {
        Path pred = Files.createDirectory(tmp.resolve("pred"));
        Path gt = Files.createDirectory(tmp.resolve("gt"));
        PalettePng.write(gt.resolve("only.png"), row(0, 1));
        for (int i = 0; i < 30; i++) {
            PalettePng.write(pred.resolve(String.format("p%02d.png", i)), LabelImage.blank(2, 2));
        }
        EvaluationResult r = MaskEvaluation.evaluate(pred, gt, NAMES);
        assertTrue(r.nothingScored());
        assertEquals(30, r.problems().size());
        String table = r.toTable();
        assertTrue(table.contains("NOTHING WAS SCORED"), table);
        assertTrue(table.contains("left out: 1 of 1 ground-truth mask has no prediction (only); 30 predictions have no"
                + " ground truth"), table);
        assertTrue(table.contains("30 problems (the first 20 here, all in the JSON report):"), table);
        assertTrue(table.contains("p19.png") && !table.contains("p20.png"), table);
        assertEquals(30, new ObjectMapper().readTree(r.toJson()).get("problems").size());
    }

    @Test
    void everythingScoredAddsNothing() throws IOException {
        Path pred = Files.createDirectory(tmp.resolve("pred"));
        Path gt = Files.createDirectory(tmp.resolve("gt"));
        PalettePng.write(gt.resolve("a.png"), row(0, 1));
        PalettePng.write(pred.resolve("a.png"), row(0, 1));
        EvaluationResult r = MaskEvaluation.evaluate(pred, gt, NAMES);
        assertEquals("", r.leftOutSummary());
        assertFalse(r.toTable().contains("left out"), r.toTable());
    }
}
