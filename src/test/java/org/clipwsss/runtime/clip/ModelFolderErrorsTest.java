package org.clipwsss.runtime.clip;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Broken model folders give one clear error naming the file and the problem. */
class ModelFolderErrorsTest {
    @TempDir
    Path tmp;
    static SessionFactory sessions;

    @BeforeAll
    static void start() {
        sessions = new SessionFactory(Device.CPU, 1);
    }

    @AfterAll
    static void stop() {
        sessions.close();
    }

    private Path copyOfTiny() throws IOException {
        Path dir = tmp.resolve("model");
        try (Stream<Path> s = Files.walk(Fixtures.CLIP_TINY)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dir.resolve(Fixtures.CLIP_TINY.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return dir;
    }

    private ClipModel open(Path dir, GraphSource source) {
        return ClipModel.open(dir, ClipModel.Options.defaults().withSource(source).withSessions(sessions)
                .withCacheRoot(tmp.resolve("cache")));
    }

    private static void assertError(Executable action, String file, String... words) {
        ClipWsssException e = assertThrows(ClipWsssException.class, action);
        String m = e.getMessage();
        assertTrue(m.contains(file), "message should name " + file + ": " + m);
        for (String w : words) {
            assertTrue(m.contains(w), "message should say '" + w + "': " + m);
        }
        assertTrue(!m.contains("\n"), "one line: " + m);
    }

    private static NpyArray pixels() {
        return NpyArray.ofFloats(new float[3 * 224 * 224], 1, 3, 224, 224);
    }

    @Test
    void missingFolderAndMissingWeights() throws IOException {
        assertError(() -> ModelFolder.open(tmp.resolve("nope"), "auto"), "nope", "does not exist");
        Path dir = copyOfTiny();
        Files.delete(dir.resolve("model.safetensors"));
        Files.delete(dir.resolve("onnx/text_model.onnx"));
        assertError(() -> ModelFolder.open(dir, "auto"), "text_model.onnx", "missing");
        Files.delete(dir.resolve("onnx/vision_model.onnx"));
        assertError(() -> ModelFolder.open(dir, "auto"), "model", "no model weights");
    }

    @Test
    void brokenConfigJson() throws IOException {
        Path dir = copyOfTiny();
        Path cfg = dir.resolve("config.json");
        String good = Files.readString(cfg);
        Files.writeString(cfg, "{ not json");
        assertError(() -> ModelFolder.open(dir, "auto"), "config.json", "not valid JSON");
        Files.writeString(cfg, "{\"model_type\": \"clip\", \"projection_dim\": 32}");
        assertError(() -> ModelFolder.open(dir, "auto"), "config.json", "text_config");
        Files.writeString(cfg, good.replace("\"num_attention_heads\": 2", "\"num_attention_heads\": 5"));
        assertError(() -> ModelFolder.open(dir, "auto"), "config.json", "not divisible");
        Files.writeString(cfg, good.replace("\"hidden_act\": \"quick_gelu\"", "\"hidden_act\": \"swish\""));
        assertError(() -> ModelFolder.open(dir, "auto"), "config.json", "swish");
        Files.delete(cfg);
        assertError(() -> ModelFolder.open(dir, "auto"), "config.json", "missing");
    }

    @Test
    void configThatDoesNotFitTheWeights() throws IOException {
        Path dir = copyOfTiny();
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"intermediate_size\": 192", "\"intermediate_size\": 96"));
        try (ClipModel m = open(dir, GraphSource.SAFETENSORS)) {
            assertError(() -> m.imageEmbeds(pixels()), "model.safetensors", "mlp.fc1.weight", "[192, 48]", "[96, 48]");
        }
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path dir = copyOfTiny();
        Path st = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(all, all.length / 2));
        try (ClipModel m = open(dir, GraphSource.SAFETENSORS)) {
            assertError(() -> m.imageEmbeds(pixels()), "model.safetensors");
        }
    }

    @Test
    void corruptOnnxFile() throws IOException {
        Path dir = copyOfTiny();
        Path v = dir.resolve("onnx/vision_model.onnx");
        Files.write(v, java.util.Arrays.copyOf(Files.readAllBytes(v), 1000));
        try (ClipModel m = open(dir, GraphSource.ONNX)) {
            assertError(() -> m.imageEmbeds(pixels()), "vision_model.onnx", "cannot load");
        }
    }

    @Test
    void onnxWithTheWrongSignature() throws IOException {
        Path dir = copyOfTiny();
        GraphBuilder g = new GraphBuilder("wrong");
        String x = g.input("images", ElemType.FLOAT, "batch", 3, 224, 224);
        g.output(g.reshape(x, -1, 3 * 224 * 224), "features", ElemType.FLOAT, "batch", 3 * 224 * 224);
        OnnxWriter.write(g.build(), dir.resolve("onnx/vision_model.onnx"), Map.of());
        try (ClipModel m = open(dir, GraphSource.ONNX)) {
            assertError(() -> m.imageEmbeds(pixels()), "vision_model.onnx", "expected input 'pixel_values'", "images");
        }
    }

    @Test
    void sourceThatTheFolderCannotServe() throws IOException {
        Path dir = copyOfTiny();
        Files.delete(dir.resolve("model.safetensors"));
        assertError(() -> open(dir, GraphSource.SAFETENSORS), "model.safetensors", "missing");
        try (ClipModel m = open(dir, GraphSource.AUTO)) {
            assertError(() -> m.denseEmbeds(pixels(), ClipModel.Dense.CLEARCLIP), "model.safetensors", "missing");
        }
    }

    @Test
    void pixelsOfTheWrongShape() {
        try (ClipModel m = open(Fixtures.CLIP_TINY, GraphSource.ONNX)) {
            ClipWsssException e = assertThrows(ClipWsssException.class,
                    () -> m.imageEmbeds(NpyArray.ofFloats(new float[3 * 160 * 160], 1, 3, 160, 160)));
            assertTrue(e.getMessage().contains("[N,3,224,224]"), e.getMessage());
        }
    }
}
