package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.clipwsss.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's own log stays out of the terminal (its level is FATAL for the environment and the sessions): a
 * corrupt vision_model.onnx gives exactly the project's one-line error naming the file, in a JVM of its own.
 */
class OnnxRuntimeLogTest {
    static final Path IMAGE = Path.of("src/test/resources/voc-sample/JPEGImages/2007_000032.jpg");

    @Test
    void aCorruptModelFileIsOneErrorLineNamingItWithoutOnnxRuntimeLog(@TempDir Path tmp) throws Exception {
        Path model = corruptModel(tmp);
        Result r = embedImage(model, tmp.resolve("e.npy"));
        assertEquals(1, r.code, r.toString());
        List<String> errors = r.stderr.lines().filter(l -> l.startsWith("clip-wsss: error:")).toList();
        assertEquals(1, errors.size(), r.toString());
        assertTrue(errors.get(0).contains(model.resolve("onnx/vision_model.onnx").toString()), r.toString());
        assertFalse(r.stderr.contains("\u001b[") || r.stdout.contains("\u001b["), "no ANSI escape\n" + r);
        assertFalse(r.stderr.contains("DefaultLogger") || r.stderr.contains(":onnxruntime:"), "no ONNX Runtime log line\n" + r);
        assertFalse(Files.exists(tmp.resolve("e.npy")));
    }

    @Test
    void theLogLevelReachesOnnxRuntime(@TempDir Path tmp) throws Exception {
        // the same run with ONNX Runtime's log at verbose (clipwsss.ortLogLevel) does print its lines: the default's
        // silence is the level's doing, not a run that never got to ONNX Runtime
        Path model = corruptModel(tmp);
        Result r = embedImage(model, tmp.resolve("e.npy"), "-Dclipwsss.ortLogLevel=verbose");
        assertEquals(1, r.code, r.toString());
        assertTrue(r.stderr.contains(":onnxruntime:"), r.toString());
    }

    private static Path corruptModel(Path tmp) throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model/onnx"));
        Files.copy(Fixtures.CLIP_TINY.resolve("config.json"), model.resolveSibling("config.json"));
        try (Stream<Path> s = Files.list(Fixtures.CLIP_TINY.resolve("onnx"))) {
            for (Path p : s.toList()) {
                Files.copy(p, model.resolve(p.getFileName()));
            }
        }
        Files.write(model.resolve("vision_model.onnx"), "this is no ONNX model\u0000\u0001\u0002".getBytes(StandardCharsets.UTF_8));
        return model.getParent();
    }

    private record Result(int code, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    private static Result embedImage(Path model, Path out, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "embed-image", "--model", model.toString(), "--out", out.toString(), IMAGE.toString()));
        Path stdout = Files.createTempFile(out.getParent(), "stdout", ".txt");
        Path stderr = Files.createTempFile(out.getParent(), "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "embed-image still running after 60 s");
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }
}
