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
}
