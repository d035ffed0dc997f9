package org.clipwsss.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@link MaskEvaluation} against an independent NumPy implementation ({@code src/test/python/miou_reference.py})
 * on predictions made from the three VOC fixture masks: shifted, relabelled, with classes missing, extra classes,
 * values that are no class (255, 30), and predictions on ignored pixels.
 *
 * <p>With {@code python3} and NumPy, the script runs on the decoded masks (exported as .npy, since PIL may be
 * missing) and its numbers must also equal the committed {@link #EXPECTED} file; without them the committed numbers
 * are the reference. Regenerate the file after changing the fixtures with
 * {@code mvn test -Dtest=MiouNumpyCrossCheckTest -Dclipwsss.writeExpected=true}.
 */
class MiouNumpyCrossCheckTest {
    static final Path SCRIPT = Path.of("src/test/python/miou_reference.py");
    static final Path EXPECTED = Path.of("src/test/resources/eval/miou_reference_expected.json");
    static final Path VOC_MASKS = Path.of("src/test/resources/voc-sample/SegmentationClass");
    static final double TOLERANCE = 1e-6;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @TempDir
    Path tmp;

    @Test
    void scoresMatchNumpy() throws Exception {
        Path gt = Files.createDirectory(tmp.resolve("gt"));
        Path pred = Files.createDirectory(tmp.resolve("pred"));
        writeFixtures(gt, pred);
        EvaluationResult java = MaskEvaluation.evaluate(pred, gt, ClassNames.VOC);
        assertEquals(3, java.images());
        assertEquals(List.of(), java.problems());

        JsonNode committed = JSON.readTree(EXPECTED.toFile());
        JsonNode reference;
        if (numpyAvailable()) {
            reference = runScript(exportNpy(gt), exportNpy(pred));
            if (Boolean.getBoolean("clipwsss.writeExpected")) {
                ObjectNode out = JSON.createObjectNode().put("_comment", "Produced by src/test/python/miou_reference.py"
                        + " on the fixtures of MiouNumpyCrossCheckTest (-Dclipwsss.writeExpected=true); the reference"
                        + " when python3 with NumPy is not available.");
                out.setAll((ObjectNode) reference);
                Files.writeString(EXPECTED, JSON.writeValueAsString(out) + "\n");
                committed = out;
            }
            ObjectNode numbers = committed.deepCopy();
            numbers.remove("_comment");
            assertEquals(reference, numbers, EXPECTED + " is out of date; regenerate it (see this test's comment)");
            System.out.println("miou cross-check: compared with python3 + numpy (" + SCRIPT + ")");
        } else {
            reference = committed;
            System.out.println("miou cross-check: python3 with numpy not available; compared with " + EXPECTED);
        }
        compare(java, reference);
    }

    private static void compare(EvaluationResult java, JsonNode ref) {
        assertEquals(ref.get("classes").asInt(), java.classes().size());
        for (EvaluationResult.ClassScore c : java.classes()) {
            int i = c.index();
            assertClose(ref.get("iou").get(i), c.iou(), "IoU of " + c.name());
            assertClose(ref.get("precision").get(i), c.precision(), "precision of " + c.name());
            assertClose(ref.get("recall").get(i), c.recall(), "recall of " + c.name());
            assertEquals(ref.get("tp").get(i).asLong(), c.truePositives(), "TP of " + c.name());
            assertEquals(ref.get("fp").get(i).asLong(), c.falsePositives(), "FP of " + c.name());
            assertEquals(ref.get("fn").get(i).asLong(), c.falseNegatives(), "FN of " + c.name());
        }
        assertClose(ref.get("mIoU"), java.meanIoU(), "mIoU");
        assertClose(ref.get("pixelAccuracy"), java.pixelAccuracy(), "pixel accuracy");
        assertEquals(ref.get("pixels").asLong(), java.pixels(), "pixels");
        assertEquals(ref.get("unassigned").asLong(), java.unassigned(), "unassigned pixels");
        assertTrue(java.unassigned() > 0 && java.scoredClasses() < 21, "the fixtures exercise these cases");
    }

    private static void assertClose(JsonNode expected, double actual, String what) {
        if (expected.isNull()) {
            assertTrue(Double.isNaN(actual), what + ": undefined in the reference, " + actual + " here");
        } else {
            assertEquals(expected.asDouble(), actual, TOLERANCE, what);
        }
    }

    /**
     * Predictions from the VOC masks: 2007_000032 (aeroplane, person) shifted 6 px right, person relabelled cat in
     * the right half, blocks of 255 and 30 (no class); 2007_000039 (tvmonitor) a misplaced tvmonitor box and a bird
     * box (a class in no ground truth); 2007_001763 (cat, dog, sofa, tvmonitor) cat and dog swapped, tvmonitor
     * missed, ignored pixels predicted as sofa.
     */
    private static void writeFixtures(Path gtDir, Path predDir) {
        for (String name : List.of("2007_000032", "2007_000039", "2007_001763")) {
            LabelImage gt = PalettePng.read(VOC_MASKS.resolve(name + ".png"));
            LabelImage pred = LabelImage.blank(gt.width(), gt.height());
            for (int y = 0; y < gt.height(); y++) {
                for (int x = 0; x < gt.width(); x++) {
                    pred.set(x, y, switch (name) {
                        case "2007_000032" -> shifted(gt, x, y);
                        case "2007_000039" -> boxes(x, y);
                        default -> swapped(gt.get(x, y));
                    });
                }
            }
            PalettePng.write(gtDir.resolve(name + ".png"), gt);
            PalettePng.write(predDir.resolve(name + ".png"), pred);
        }
    }

    private static int shifted(LabelImage gt, int x, int y) {
        if (x < 50 && y < 40) {
            return y < 20 ? LabelImage.IGNORE : 30;
        }
        int v = x < 6 ? 0 : gt.get(x - 6, y);
        return v == 15 && x >= gt.width() / 2 ? 8 : v;
    }

    private static int boxes(int x, int y) {
        if (x < 40 && y < 40) {
            return 3;
        }
        return x >= 100 && x < 300 && y >= 50 && y < 250 ? 20 : 0;
    }

    private static int swapped(int v) {
        return switch (v) {
            case 8 -> 12;
            case 12 -> 8;
            case 20 -> 0;
            case LabelImage.IGNORE -> 18;
            default -> v;
        };
    }

    /** The decoded masks of {@code dir} as int32 [H,W] .npy files in a new folder. */
    private Path exportNpy(Path dir) throws IOException {
        Path out = Files.createDirectory(tmp.resolve(dir.getFileName() + "-npy"));
        for (Path png : Pairing.files(dir, ".png")) {
            LabelImage mask = PalettePng.read(png);
            int[] values = new int[mask.width() * mask.height()];
            for (int i = 0; i < values.length; i++) {
                values[i] = mask.get(i);
            }
            Npy.write(out.resolve(Pairing.baseName(png, ".png") + ".npy"),
                    NpyArray.ofInts(values, mask.height(), mask.width()));
        }
        return out;
    }

    private JsonNode runScript(Path gt, Path pred) throws Exception {
        Path stderr = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder("python3", SCRIPT.toString(), "--gt", gt.toString(), "--pred", pred.toString(),
                "--classes", "21").redirectError(stderr.toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the script did not finish");
        assertEquals(0, p.exitValue(), "the script failed: " + Files.readString(stderr));
        return JSON.readTree(stdout);
    }

    private static boolean numpyAvailable() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no python3 on the PATH
        }
    }
}
