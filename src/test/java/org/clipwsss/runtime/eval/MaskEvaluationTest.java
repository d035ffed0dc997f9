package org.clipwsss.runtime.eval;

import static org.clipwsss.runtime.eval.ConfusionMatrixTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskEvaluationTest {
    static final List<String> NAMES = List.of("background", "cat", "dog");

    @TempDir
    Path tmp;
    Path pred;
    Path gt;

    @BeforeEach
    void folders() throws IOException {
        pred = Files.createDirectory(tmp.resolve("pred"));
        gt = Files.createDirectory(tmp.resolve("gt"));
        PalettePng.write(gt.resolve("a.png"), square(0, 1, 1, 255));
        PalettePng.write(pred.resolve("a.png"), square(0, 1, 2, 2));
        PalettePng.write(pred.resolve("b.png"), square(0, 0, 0, 0));            // no ground truth
        PalettePng.write(gt.resolve("c.png"), row(0, 1, 1, 1));
        PalettePng.write(pred.resolve("c.png"), square(0, 1, 1, 1));            // 2x2 against 4x1
        PalettePng.write(gt.resolve("unpredicted.png"), square(1, 1, 1, 1));
        Files.writeString(pred.resolve("notes.txt"), "not a mask");
    }

    static LabelImage square(int... values) {
        LabelImage r = row(values);
        return new LabelImage(2, values.length / 2, r.data());
    }

    @Test
    void scoresPairsAndListsProblems() throws IOException {
        EvaluationResult r = MaskEvaluation.evaluate(pred, gt, NAMES);
        assertEquals(1, r.images());
        assertEquals(3, r.pixels());
        assertEquals(List.of(1.0, 0.5, 0.0), r.classes().stream().map(EvaluationResult.ClassScore::iou).toList());
        assertEquals(0.5, r.meanIoU(), 1e-12);
        assertEquals(2 / 3.0, r.pixelAccuracy(), 1e-12);
        assertEquals(1, r.classes().get(2).falsePositives());
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith(pred.resolve("b.png") + ": no ground truth"), r.problems().get(0));
        assertTrue(r.problems().get(1).startsWith(pred.resolve("c.png") + ": is 2x2 but its ground truth"),
                r.problems().get(1));
        assertTrue(r.problems().get(1).contains("4x1"), r.problems().get(1));

        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertEquals(0.5, json.get("mIoU").asDouble());
        assertEquals("dog", json.get("classes").get(2).get("name").asText());
        assertEquals(0.0, json.get("classes").get(2).get("precision").asDouble());
        assertEquals(2, json.get("problems").size());

        String table = r.toTable();
        assertTrue(table.contains("mIoU 0.5000 over 3 of 3 classes; pixel accuracy 0.6667"), table);
        assertTrue(table.contains("2 problems:\n  " + pred.resolve("b.png")), table);
        assertEquals(1, table.lines().filter(l -> l.startsWith("dog ")).count(), table);
    }

    @Test
    void defaultsToVocClassesWithUndefinedScoresAsNull() throws IOException {
        EvaluationResult r = MaskEvaluation.evaluate(pred, gt, null);
        assertEquals(21, r.classes().size());
        assertEquals("tvmonitor", r.classes().get(20).name());
        assertEquals(3, r.scoredClasses());
        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertTrue(json.get("classes").get(20).get("iou").isNull());
        assertTrue(r.toTable().lines().anyMatch(l -> l.matches("tvmonitor\\s+-\\s+-\\s+-\\s+0\\s+0\\s+0")),
                r.toTable());
    }

    @Test
    void failsOnBadFoldersAndGroundTruthOutsideTheClassList() throws IOException {
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> MaskEvaluation.evaluate(tmp.resolve("nope"), gt, NAMES));
        assertTrue(e.getMessage().startsWith(tmp.resolve("nope") + ": "), e.getMessage());
        e = assertThrows(ClipWsssException.class, () -> MaskEvaluation.evaluate(tmp, gt, NAMES), "no .png in tmp");
        assertTrue(e.getMessage().contains("no .png"), e.getMessage());

        PalettePng.write(gt.resolve("a.png"), square(0, 1, 5, 255));
        e = assertThrows(ClipWsssException.class, () -> MaskEvaluation.evaluate(pred, gt, NAMES));
        assertTrue(e.getMessage().startsWith(gt.resolve("a.png") + ": ground truth has value 5"), e.getMessage());
    }
}
