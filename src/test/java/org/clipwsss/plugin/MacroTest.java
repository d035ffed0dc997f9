package org.clipwsss.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The macros in macros/ and the macro commands, run by ImageJ1's macro interpreter headless. */
class MacroTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final String TINY = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();

    @BeforeAll
    static void ij1() throws Exception {
        Map<String, String> commands = Ij1Macros.setUp();
        assertEquals(7, commands.size(), "plugins.config registers the macro commands: " + commands);
        for (String cls : commands.values()) {
            assertTrue(ij.plugin.PlugIn.class.isAssignableFrom(Class.forName(cls)), cls);
        }
    }

    private static String runMacroFile(String file, String args) {
        return Ij1Macros.logOf(() -> IJ.runMacroFile(Path.of("macros", file).toAbsolutePath().toString(), args));
    }

    @Test
    void batchMacroWithALabelsCsv(@TempDir Path tmp) throws Exception {
        Path images = tmp.resolve("my images");
        Files.createDirectories(images);
        try (var files = Files.list(VOC.resolve("JPEGImages"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        Path out = tmp.resolve("out dir");
        String log = runMacroFile("batch_folder_with_labels.ijm", "input=[" + images + "] labels=["
                + VOC.resolve("labels.csv").toAbsolutePath() + "] output=[" + out + "] model=[" + TINY + "] classes=["
                + VOC.resolve("classes.txt").toAbsolutePath() + "]");
        assertTrue(log.contains("3 images: 3 done"), log);
        for (String n : new String[] {"2007_000032", "2007_000039", "2007_001763"}) {
            assertTrue(Files.isRegularFile(out.resolve("cams/" + n + ".npy")), n);
            assertTrue(Files.isRegularFile(out.resolve("masks/" + n + ".png")), n);
            assertTrue(Files.isRegularFile(out.resolve("overlays/" + n + ".png")), n);
        }
        assertTrue(Files.isRegularFile(out.resolve("run.json")));

        log = runMacroFile("evaluate_masks.ijm", "pred=[" + out.resolve("masks") + "] gt=["
                + VOC.resolve("SegmentationClass").toAbsolutePath() + "] classes=[" + VOC.resolve("classes.txt").toAbsolutePath() + "]");
        assertTrue(log.contains("mIoU"), log);
    }

    /** shard=I/N through the batch macro, then CLIP WSSS Summarize: a missing shard stops the macro, both merge. */
    @Test
    void shardsThroughTheBatchMacroAndSummarize(@TempDir Path tmp) {
        Path out = tmp.resolve("sharded out");
        String common = "input=[" + VOC.resolve("JPEGImages").toAbsolutePath() + "] labels=[" + VOC.resolve("labels.csv").toAbsolutePath()
                + "] output=[" + out + "] model=[" + TINY + "]";
        String log = runMacroFile("batch_folder_with_labels.ijm", common + " shard=0/2");
        assertTrue(log.contains("2 images: 2 done"), log);
        log = Ij1Macros.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Summarize\", \"output=[" + out + "]\");"));
        assertTrue(log.contains("missing (no report yet): 1/2"), log);
        log = runMacroFile("batch_folder_with_labels.ijm", common + " shard=1/2");
        assertTrue(log.contains("1 images: 1 done"), log);
        log = Ij1Macros.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Summarize\", \"output=[" + out + "]\");"));
        assertTrue(log.contains("CLIP WSSS Summarize: 2 shards, all finished; 3 images in the shards' reports: 3 done"), log);
        assertTrue(Files.isRegularFile(out.resolve("selection.csv")));
    }

    @Test
    void batchMacroWithOneTag(@TempDir Path tmp) {
        Path out = tmp.resolve("tagged");
        String log = runMacroFile("batch_folder_one_tag.ijm", "input=[" + VOC.resolve("JPEGImages").toAbsolutePath()
                + "] tag=[cat] output=[" + out + "] model=[" + TINY + "] synonyms=none");
        assertTrue(log.contains("3 images: 3 done"), log);
        assertTrue(Files.isRegularFile(out.resolve("masks/2007_000032.png")));
    }

    @Test
    void aBadArgumentFailsWithOneClearLineAndStopsTheMacro(@TempDir Path tmp) throws Exception {
        Path marker = tmp.resolve("reached.txt");
        String log = Ij1Macros.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Batch\", \"input=[" + tmp.resolve("missing")
                + "] labels=[cat] output=[" + tmp.resolve("o") + "] model=[" + TINY + "]\");\nFile.saveString(\"x\", \"" + marker + "\");"));
        assertTrue(log.contains("CLIP WSSS Batch: ") && log.contains("missing: input folder does not exist"), log);
        assertFalse(Files.exists(marker), "the macro stopped at the failing command");

        log = Ij1Macros.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Batch\", \"input=[" + VOC.toAbsolutePath() + "] labels=[cat] output=["
                + tmp.resolve("o") + "] model=[" + TINY + "] logit_scale=abc\");"));
        assertTrue(log.contains("option 'logit_scale' must be a number, not 'abc'"), log);
    }

    @Test
    void camAndMaskCommandsOnTheCurrentImage() {
        String image = VOC.resolve("JPEGImages/2007_000032.jpg").toAbsolutePath().toString();
        Object stackSize = IJ.runMacro("open(\"" + image + "\");\nrun(\"CLIP WSSS CAMs\", \"labels=[aeroplane;person] model=["
                + TINY + "]\");\nreturn \"\" + nSlices + \" \" + getWidth() + \" \" + bitDepth();");
        assertEquals("2 500 32", stackSize);
        Object mask = IJ.runMacro("open(\"" + image + "\");\nrun(\"CLIP WSSS Pseudo Mask\", \"labels=[aeroplane;person] model=["
                + TINY + "] rois table\");\nreturn \"\" + bitDepth() + \" \" + getWidth() + \" \" + Overlay.size + \" \" + nResults;");
        String[] parts = String.valueOf(mask).split(" ");
        assertEquals("8 500", parts[0] + " " + parts[1], String.valueOf(mask));
        assertTrue(Integer.parseInt(parts[2]) >= 0 && Integer.parseInt(parts[2]) <= 2, "one ROI per class present: " + mask);
        assertEquals("2", parts[3], "a table row per class");
    }

    @Test
    void trainMaskGeneratorMacroThenMasksWithIt(@TempDir Path tmp) {
        Path gen = tmp.resolve("gen dir");
        Path masks = tmp.resolve("masks");
        String log = runMacroFile("train_mask_generator.ijm", "input=[" + VOC.resolve("JPEGImages").toAbsolutePath() + "] labels=["
                + VOC.resolve("labels.csv").toAbsolutePath() + "] classes=[aeroplane;person;tvmonitor;cat;dog;sofa] output=[" + gen
                + "] model=[" + TINY + "] steps=2 lr=0.01 batch=4 promptsteps=2 masks=[" + masks + "]");
        assertTrue(log.contains("CLIP WSSS Train: 2 steps"), log);
        assertTrue(log.contains("stage a: step 1/2"), log);
        assertTrue(Files.isRegularFile(gen.resolve("mask_generator.onnx")) && Files.isRegularFile(gen.resolve("prompt_embeds.npy")));
        assertTrue(log.contains("3 images: 3 done"), log);
        assertTrue(Files.isRegularFile(masks.resolve("masks/2007_001763.png")));

        String bad = Ij1Macros.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Train\", \"trainer=prompts input=[" + VOC.toAbsolutePath()
                + "] labels=[cat] classes=[cat] output=[" + tmp.resolve("p") + "] model=[" + TINY + "] steps=many\");"));
        assertTrue(bad.contains("option 'steps' must be a whole number, not 'many'"), bad);
    }

    @Test
    void anErrorInsideTheBatchIsOneLogLineNotAStackTraceAndStopsTheMacro(@TempDir Path tmp) throws Exception {
        Path images = tmp.resolve("in");
        Files.createDirectories(images);
        for (int w : new int[] {30, 31, 32}) {
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(w, 20, java.awt.image.BufferedImage.TYPE_INT_RGB), "png",
                    images.resolve("w" + w + ".png").toFile());
        }
        Path marker = tmp.resolve("reached.txt");
        String batch = "run(\"CLIP WSSS Batch\", \"input=[" + images + "] labels=[cat] output=[" + tmp.resolve("o%d") + "] model=["
                + TINY + "] method=faulty-test synonyms=none background=none\");\nFile.saveString(\"x\", \"" + marker + "\");";
        try {
            // an AssertionError in one image: in errors.csv, the others done, the macro goes on
            org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.put(31, () -> new AssertionError("No tokenizers version found"));
            String log = Ij1Macros.logOf(() -> IJ.runMacro(String.format(batch, 1)));
            assertTrue(log.contains("3 images: 2 done, 0 skipped (already complete), 1 failed"), log);
            assertTrue(log.contains("failed: w31.png: AssertionError: No tokenizers version found"), log);
            assertTrue(Files.readString(tmp.resolve("o1/errors.csv")).contains("w31.png,AssertionError: No tokenizers version found"));
            assertTrue(Files.exists(marker), "the macro went on after a batch with one failed image");
            Files.delete(marker);

            // an Error after which the run cannot go on: reports written, one line, the macro stops
            org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.put(31, () -> new UnsatisfiedLinkError("no onnxruntime in java.library.path"));
            log = Ij1Macros.logOf(() -> IJ.runMacro(String.format(batch, 2)));
            assertTrue(log.contains("CLIP WSSS Batch: the run stopped at w31.png: UnsatisfiedLinkError: no onnxruntime in java.library.path;"
                    + " 1 images not processed"), log);
            assertFalse(log.contains("\tat "), "no stack trace in the log: " + log);
            assertTrue(Files.isRegularFile(tmp.resolve("o2/run.json")) && Files.isRegularFile(tmp.resolve("o2/errors.csv")));
            assertFalse(Files.exists(marker), "the macro stopped at the failed batch");

            // every image failing (as with a model that cannot run) also stops the macro
            org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.clear();
            for (int w : new int[] {30, 31, 32}) {
                org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.put(w, () -> new AssertionError("model broken"));
            }
            log = Ij1Macros.logOf(() -> IJ.runMacro(String.format(batch, 3)));
            assertTrue(log.contains("CLIP WSSS Batch: every image failed (w30.png: AssertionError: model broken)"), log);
            assertFalse(Files.exists(marker), "the macro stopped");
        } finally {
            org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.clear();
        }
    }
}
