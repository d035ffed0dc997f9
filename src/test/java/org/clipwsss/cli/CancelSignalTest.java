package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training command in its own JVM, stopped by SIGTERM (as Ctrl-C stops it): it saves a checkpoint; a rerun continues. */
class CancelSignalTest {
    static final int STEPS = 200;

    @Test
    void sigtermSavesACheckpointAndTheSameCommandContinues(@TempDir Path tmp) throws Exception {
        Npy.write(tmp.resolve("x.npy"), Fixtures.reference("clip-tiny", "pixel_values"));
        Npy.write(tmp.resolve("y.npy"), NpyArray.ofFloats(new float[] {1, 0, 1, 1}, 2, 2));
        Path out = tmp.resolve("out");
        List<String> args = List.of("train-mask-generator", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
                "--classes", "cat;dog", "--pixels", tmp.resolve("x.npy").toString(), "--targets", tmp.resolve("y.npy").toString(),
                "--warm-steps", "0", "--optimizer", "adamw", "--lr", "0.001", "--steps", Integer.toString(STEPS), "--out", out.toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
                if (line.startsWith("step 11/")) {
                    // SIGTERM as Ctrl-C's SIGINT would (Process.destroy would also close this stream)
                    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), log.toString());
        assertTrue(log.toString().contains("interrupted: stopping after this step and saving a checkpoint"), log.toString());
        int saved = new ObjectMapper().readTree(out.resolve("checkpoint.json").toFile()).path("step").asInt(-1);
        assertTrue(saved >= 11 && saved < STEPS, "checkpoint at step " + saved + "\n" + log);
        assertTrue(!Files.exists(out.resolve("mask_generator.onnx")), "no half-trained network is exported");

        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(0, code, o + "\n" + e);
        assertTrue(o.toString().contains("resuming from the checkpoint at step " + saved), o.toString());
        assertEquals(STEPS + 1, Files.readAllLines(out.resolve("loss.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("mask_generator.onnx")));
    }
}
