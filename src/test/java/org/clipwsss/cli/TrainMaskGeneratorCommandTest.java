package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-mask-generator writes a CAM network that segment --method onnx then runs. */
class TrainMaskGeneratorCommandTest {
    @TempDir
    Path tmp;

    private String run(int expected, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(expected, code, "stdout " + out + "\nstderr " + err);
        return out + err.toString();
    }

    @Test
    void trainThenSegmentWithTheExportedNetwork() throws Exception {
        Npy.write(tmp.resolve("x.npy"), Fixtures.reference("clip-tiny", "pixel_values"));
        Npy.write(tmp.resolve("y.npy"), NpyArray.ofFloats(new float[] {1, 0, 1, 1}, 2, 2));
        Path out = tmp.resolve("gen");
        run(0, "train-mask-generator", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
                "--classes", "cat;dog", "--pixels", tmp.resolve("x.npy").toString(), "--targets", tmp.resolve("y.npy").toString(),
                "--stage", "a", "--lr", "0.01", "--steps", "2", "--warm-steps", "2", "--out", out.toString());
        assertEquals(3, Files.readAllLines(out.resolve("loss.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("mask_generator.onnx")) && Files.isRegularFile(out.resolve("mask_generator.json")));
        String log = run(0, "segment", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(), "--input",
                "src/test/resources/voc-sample/JPEGImages", "--labels", "cat;dog", "--method", "onnx", "--cam-model",
                out.resolve("mask_generator.onnx").toString(), "--synonyms", "none", "--out", tmp.resolve("seg").toString());
        assertTrue(log.contains("3 done") && log.contains("0 failed"), log);
    }

    @Test
    void stagesABCFromAFolderWithMinibatchesAndJointAdaptersThenSegment() throws Exception {
        Path out = tmp.resolve("abc");
        String[] args = {"train-mask-generator", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
            "--classes", "aeroplane;person;tvmonitor;cat;dog;sofa", "--input", "src/test/resources/voc-sample/JPEGImages",
            "--labels", "src/test/resources/voc-sample/labels.csv", "--stage", "abc", "--batch-size", "3", "--joint-adapters",
            "--optimizer", "adamw", "--lr", "0.01", "--steps", "3", "--steps-c", "2", "--warm-steps", "2", "--prompt-steps", "3",
            "--prompt-length", "4", "--out", out.toString()};
        String log = run(0, args);
        assertTrue(log.contains("3 images, 7 (image, class) pairs"), log);
        assertTrue(log.contains("stage a: step 1/3") && log.contains("stage b: step 3/3") && log.contains("stage c: step 2/2"), log);
        assertTrue(log.contains("ETA"), log);
        for (String f : new String[] {"mask_generator.onnx", "mask_generator.json", "prompts.npy", "prompt_embeds.npy", "prompts.json",
            "adapters.safetensors", "adapters.json", "stage-a/loss.csv", "stage-b/loss.csv", "stage-c/loss.csv",
            "stage-a/optimizer_model.onnx", "stage-a/training_model.onnx", "stage-b/eval_model.onnx", "stage-c/checkpoint.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(4, Files.readAllLines(out.resolve("stage-a/loss.csv")).size());
        assertEquals(3, Files.readAllLines(out.resolve("stage-c/loss.csv")).size());
        NpyArray prompts = Npy.read(out.resolve("prompts.npy"));
        assertEquals(6, prompts.shape()[0]);
        assertEquals(4, prompts.shape()[1]);
        byte[] generator = Files.readAllBytes(out.resolve("mask_generator.onnx"));

        // run again: every stage is at its last checkpoint, nothing trains, the same network comes out
        String again = run(0, args);
        assertTrue(!again.contains("stage a: step"), again);
        assertTrue(java.util.Arrays.equals(generator, Files.readAllBytes(out.resolve("mask_generator.onnx"))));

        String seg = run(0, "segment", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(), "--input",
                "src/test/resources/voc-sample/JPEGImages", "--labels", "src/test/resources/voc-sample/labels.csv", "--method", "onnx",
                "--cam-model", out.resolve("mask_generator.onnx").toString(), "--adapters", out.toString(),
                "--background", out.resolve("prompt_embeds.npy").toString(), "--out", tmp.resolve("seg").toString());
        assertTrue(seg.contains("3 done") && seg.contains("0 failed"), seg);
    }

    @Test
    void badStageAndMissingPromptsAreClearErrors() throws Exception {
        Npy.write(tmp.resolve("x.npy"), Fixtures.reference("clip-tiny", "pixel_values"));
        Npy.write(tmp.resolve("y.npy"), NpyArray.ofFloats(new float[] {1, 0, 1, 1}, 2, 2));
        String base = "train-mask-generator --model " + Fixtures.CLIP_TINY + " --classes cat;dog --pixels " + tmp.resolve("x.npy")
                + " --targets " + tmp.resolve("y.npy") + " --lr 0.01 --steps 1 --out " + tmp.resolve("o");
        String bad = run(1, (base + " --stage b").split(" "));
        assertTrue(bad.contains("--stage must be a, c or abc"), bad);
        String noPrompts = run(1, (base + " --stage c").split(" "));
        assertTrue(noPrompts.contains("stage c needs the background prompt embeddings"), noPrompts);
        String empty = run(1, ("train-mask-generator --model " + Fixtures.CLIP_TINY + " --classes cat;dog --input "
                + "src/test/resources/voc-sample/JPEGImages --labels src/test/resources/voc-sample/labels.csv --lr 0.01 --steps 1 --out "
                + tmp.resolve("e")).split(" "));
        assertTrue(empty.contains("unknown class 'aeroplane'") && empty.contains("empty data set"), empty);
        String missing = run(1, ("train-mask-generator --model " + Fixtures.CLIP_TINY + " --classes aeroplane;person;tvmonitor;cat;dog;sofa;bird "
                + "--input src/test/resources/voc-sample/JPEGImages --labels src/test/resources/voc-sample/labels.csv --stage abc --lr 0.01 "
                + "--steps 1 --out " + tmp.resolve("m")).split(" "));
        assertTrue(missing.contains("class bird missing from the data"), missing);
    }
}
