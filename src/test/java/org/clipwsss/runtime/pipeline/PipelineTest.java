package org.clipwsss.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.Fixtures;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.prompts.SynonymLists;
import org.clipwsss.runtime.select.SynonymScores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline on the bundled clip-tiny model (random weights: shapes, ranges and bookkeeping, not quality). */
class PipelineTest {
    static final Path IMAGES = Path.of("src/test/resources/voc-sample/JPEGImages");
    @TempDir
    static Path cache;
    static TinyModel tiny;
    static ClipModel model;

    @BeforeAll
    static void open() {
        tiny = new TinyModel(cache);
        model = tiny.model;
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    static Raster8 image(String name) {
        return ImageFiles.read(IMAGES.resolve(name));
    }

    private static void assertMapsInUnitRange(Cams c) {
        for (float[] m : c.maps()) {
            float max = 0;
            for (float v : m) {
                assertTrue(v >= 0 && v <= 1, "value " + v);
                max = Math.max(max, v);
            }
            assertEquals(1f, max, 1e-6f, "each map is normalised to a peak of 1");
        }
    }

    @Test
    void clearclipWithSynonymsAndRefinement() {
        Pipeline p = Pipeline.create(model, PipelineSettings.defaults());
        Raster8 img = image("2007_001763.jpg");
        ImageResult r = p.process(img, List.of("cat", "dog", "sofa"), null);
        Cams c = r.cams();
        assertEquals(List.of("cat", "dog", "sofa"), c.classes());
        assertEquals(img.width(), c.width());
        assertEquals(img.height(), c.height());
        assertMapsInUnitRange(c);
        assertEquals(3, r.selections().size());
        SynonymScores cat = r.selections().get(0);
        assertEquals(SynonymLists.bundled("gpt_prompts").candidates("cat"), cat.candidates());
        float sum = 0;
        for (float v : cat.probability()) {
            sum += v;
        }
        assertEquals(1f, sum, 1e-5f);
        assertEquals(cat.selected(), r.prompts().get(0).name());
        int encoded = p.text().encodedCount();
        p.process(img, List.of("cat", "dog", "sofa"), null);
        assertEquals(encoded, p.text().encodedCount(), "no prompt is encoded twice");
        LabelImage mask = p.mask(c, new int[] {8, 12, 18});
        for (int v : mask.values()) {
            assertTrue(v == 0 || v == 8 || v == 12 || v == 18, "value " + v);
        }
    }

    @Test
    void refinementAndBackgroundChangeTheMaps() {
        Raster8 img = image("2007_000032.jpg");
        PipelineSettings plain = PipelineSettings.defaults().withSynonyms("none", "image").withBackground("none", 0);
        Cams a = Pipeline.create(model, plain).process(img, List.of("aeroplane", "person"), null).cams();
        Cams b = Pipeline.create(model, plain.withBackground("clip-es", 1)).process(img, List.of("aeroplane", "person"), null).cams();
        assertMapsInUnitRange(a);
        assertFalse(java.util.Arrays.equals(a.maps()[0], b.maps()[0]));
        Cams m = Pipeline.create(model, plain.withMethod("maskclip", null)).process(img, List.of("aeroplane"), null).cams();
        assertFalse(java.util.Arrays.equals(a.maps()[0], m.maps()[0]), "maskclip differs from clearclip");
    }

    @Test
    void fixedNamesSkipThePerImageSelection() {
        Pipeline p = Pipeline.create(model, PipelineSettings.defaults());
        ImageResult r = p.process(image("2007_000039.jpg"), List.of("tvmonitor"), Map.of("tvmonitor", "television"));
        assertEquals(List.of(), r.selections());
        assertEquals("television", r.prompts().get(0).name());
        List<SynonymScores> s = p.scoreSynonyms(image("2007_000039.jpg"), List.of("tvmonitor"));
        assertEquals(1, s.size());
    }

    @Test
    void largerGridAndAnElongatedImage() {
        Pipeline p = Pipeline.create(model, PipelineSettings.defaults().withDense(100f, 448, 1.0 / 3, 4));
        Raster8 line = Raster8.blank(1, 300, 3);
        for (int y = 0; y < 300; y++) {
            line.set(0, y, 0, y % 256);
        }
        Cams c = p.process(line, List.of("cat"), null).cams();
        assertEquals(1, c.width());
        assertEquals(300, c.height());
    }

    @Test
    void learnedBackgroundEmbeddings(@TempDir Path tmp) throws Exception {
        int e = model.config().projectionDim();
        float[] rows = new float[2 * 3 * e];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) Math.cos(i * 0.37);
        }
        Npy.write(tmp.resolve("prompts.npy"), NpyArray.ofFloats(rows, 2, 3, e));
        Files.writeString(tmp.resolve("prompts.json"), "{\"classes\": [\"aeroplane\", \"person\"]}");
        PipelineSettings s = PipelineSettings.defaults().withSynonyms("none", "image")
                .withBackground(tmp.resolve("prompts.npy").toString(), 2);
        Pipeline p = Pipeline.create(model, s);
        assertTrue(p.describe().contains("learned prompts.npy (2 classes x 3)"), p.describe());
        assertMapsInUnitRange(p.process(image("2007_000032.jpg"), List.of("aeroplane", "person"), null).cams());
        Files.writeString(tmp.resolve("prompts.json"), "{\"classes\": [\"aeroplane\"]}");
        ClipWsssException ex = assertThrows(ClipWsssException.class, () -> Pipeline.create(model, s));
        assertTrue(ex.getMessage().contains("prompts.json") && ex.getMessage().contains("2 rows"), ex.getMessage());
    }

    /** A 3-class "CAM network" that returns the image's own colour channels: red, green, blue. */
    static Path colourCamNet(Path dir, String activation) throws Exception {
        GraphBuilder g = new GraphBuilder("colours");
        String x = g.input("image", ElemType.FLOAT, 1, 3, 16, 16);
        g.output(g.mul(x, g.constant("one", 1f)), "maps", ElemType.FLOAT, 1, 3, 16, 16);
        Path model = dir.resolve("colours.onnx");
        OnnxWriter.write(g.build(), model, Map.of());
        Files.writeString(dir.resolve("colours.json"), "{\"classes\": [\"red\", \"green\", \"blue\"], \"input_size\": [16, 16],"
                + " \"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"rescale\": 0.00392156862745098, \"activation\": \"" + activation + "\"}");
        return model;
    }

    @Test
    void onnxCamSource(@TempDir Path tmp) throws Exception {
        Path net = colourCamNet(tmp, "relu-max-norm");
        PipelineSettings s = PipelineSettings.defaults().withMethod("onnx", net).withSynonyms("none", "image")
                .withBackground("none", 0);
        Pipeline p = Pipeline.create(model, s);
        Raster8 img = Raster8.blank(40, 20, 3);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                img.set(x, y, 0, 255); // left half red
                img.set(x + 20, y, 2, 255); // right half blue
            }
        }
        Cams c = p.process(img, List.of("blue", "red"), null).cams();
        assertEquals(List.of("blue", "red"), c.classes());
        assertEquals(1f, c.maps()[0][10 * 40 + 35], 1e-6f);
        assertEquals(0f, c.maps()[0][10 * 40 + 3], 1e-6f);
        assertEquals(1f, c.maps()[1][10 * 40 + 3], 1e-6f);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> p.process(img, List.of("cat"), null));
        assertTrue(e.getMessage().contains("colours.onnx") && e.getMessage().contains("'cat'"), e.getMessage());
        Files.delete(tmp.resolve("colours.json"));
        e = assertThrows(ClipWsssException.class, () -> Pipeline.create(model, s));
        assertTrue(e.getMessage().contains("colours.json") && e.getMessage().contains("missing"), e.getMessage());
    }
}
