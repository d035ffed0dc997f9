package org.clipwsss.training.maskgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.clipwsss.Fixtures;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.FloatMaps;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.OnnxCams;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.training.autodiff.Gradients;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mask generator on clip-tiny with the two reference images. clip-tiny's random weights put its
 * "a photo of ..." texts at cosine about -0.2 from every image (see the adapter tests): below the clamp, where
 * stage a has no gradient. The tests that need one use the negated text embeddings (cosines about +0.2).
 */
class MaskGeneratorTrainerTest {
    static final int S = 224;
    static final int H = 8;
    static final List<String> CLASSES = List.of("cat", "dog");
    @TempDir
    static Path shared;
    static TinyModel tiny;
    static MaskGeneratorTrainer.Data data;
    static float[] text;
    static float[] negated;

    @BeforeAll
    static void setUp() {
        tiny = new TinyModel(shared.resolve("cache"));
        float[] px = Fixtures.reference("clip-tiny", "pixel_values").floats();
        data = new MaskGeneratorTrainer.Data(px, new float[] {1, 0, 1, 1}, 2, S, 2);
        text = new MaskGeneratorTrainer(tiny.model, shared).classTexts(CLASSES);
        negated = text.clone();
        for (int i = 0; i < negated.length; i++) {
            negated[i] = -negated[i];
        }
    }

    @AfterAll
    static void tearDown() {
        tiny.close();
    }

    static MaskGeneratorTrainer.Options options(String stage, int steps, java.util.function.BooleanSupplier cancelled) {
        return new MaskGeneratorTrainer.Options(Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f), Schedule.parse("constant", 0.05f, steps),
                steps, stage, 1, H, 5, 2, cancelled);
    }

    @Test
    void upsamplingMatrixEqualsFloatMapsResize() {
        int grid = 7;
        float[] m = new float[grid * grid];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < m.length; i++) {
            m[i] = r.nextFloat();
        }
        float[] expected = FloatMaps.resizeBilinear(m, grid, grid, 32, 32);
        float[] ut = MaskGenerator.upsampleTransposed(grid, 32);
        for (int q = 0; q < 32 * 32; q++) {
            double s = 0;
            for (int j = 0; j < grid * grid; j++) {
                s += m[j] * ut[j * 32 * 32 + q];
            }
            assertEquals(expected[q], s, 1e-5);
        }
    }

    @Test
    void headGradientMatchesFiniteDifferences(@TempDir Path dir) throws Exception {
        MaskGeneratorTrainer trainer = new MaskGeneratorTrainer(tiny.model, dir);
        int e = tiny.model.config().projectionDim();
        float[] prompts = text.clone();
        for (int i = 0; i < prompts.length; i++) {
            // near the class texts, so the prompt term's cosines are inside the clamp and its gradient path is checked
            prompts[i] = negated[i] + 0.3f * negated[(i + 7) % negated.length];
        }
        Path file = dir.resolve("grad.onnx");
        try (SafetensorsFile st = SafetensorsFile.open(tiny.model.folder().safetensors())) {
            Graph forward = MaskGeneratorTrainer.graph(tiny.model.config(), new SafetensorsWeights(st), data.pairs().length, 2,
                    negated, prompts, H, "c", false);
            OnnxWriter.write(Gradients.of(forward, "loss", MaskGenerator.NAMES, MaskGenerator.shapes(e, H, 2)), file, Map.of());
        }
        GraphRunner runner = new GraphRunner(tiny.sessions, file);
        MaskGenerator head = MaskGenerator.init(e, H, 2, 5);
        List<String> wanted = new ArrayList<>(List.of("loss", "loss_fg", "loss_bg", "loss_prompt"));
        MaskGenerator.NAMES.forEach(n -> wanted.add(Gradients.gradName(n)));
        Map<String, NpyArray> batch = trainer.batch(data, data.pairs(), new int[] {0, 1, 2});
        Map<String, NpyArray> out = runner.run(with(head.tensors(), batch), wanted);
        System.out.printf("mask generator stage c on clip-tiny (negated texts): loss %.5f fg %.5f bg %.5f prompt %.5f%n",
                out.get("loss").floats()[0], out.get("loss_fg").floats()[0], out.get("loss_bg").floats()[0], out.get("loss_prompt").floats()[0]);
        assertTrue(out.get("loss_prompt").floats()[0] > 1.01 * -Math.log(1 - 1e-4), "the prompt term is not clamped");
        float[] p = head.flat();
        float[] grad = new float[p.length];
        int off = 0;
        for (String n : MaskGenerator.NAMES) {
            float[] gn = out.get(Gradients.gradName(n)).floats();
            System.arraycopy(gn, 0, grad, off, gn.length);
            off += gn.length;
        }
        // the largest-gradient coordinate of each parameter tensor by central differences (float32 graph, ReLU kinks: 10%)
        int[] starts = {0, H * e, H * e + H, H * e + H + 2 * H, p.length};
        int checked = 0;
        for (int t = 0; t < 4; t++) {
            int best = starts[t];
            for (int i = starts[t]; i < starts[t + 1]; i++) {
                if (Math.abs(grad[i]) > Math.abs(grad[best])) {
                    best = i;
                }
            }
            float eps = 3e-3f;
            float[] plus = p.clone();
            plus[best] += eps;
            float[] minus = p.clone();
            minus[best] -= eps;
            double lp = runner.run(with(MaskGenerator.fromFlat(e, H, 2, plus).tensors(), batch), List.of("loss")).get("loss").floats()[0];
            double lm = runner.run(with(MaskGenerator.fromFlat(e, H, 2, minus).tensors(), batch), List.of("loss")).get("loss").floats()[0];
            double fd = (lp - lm) / (2 * eps);
            System.out.printf("  %s[%d]: analytic %.6g, finite difference %.6g%n", MaskGenerator.NAMES.get(t), best - starts[t], grad[best], fd);
            assertTrue(Math.abs(grad[best]) > 1e-6, "a gradient reaches " + MaskGenerator.NAMES.get(t));
            assertEquals(fd, grad[best], 0.1 * Math.abs(grad[best]) + 2e-5, MaskGenerator.NAMES.get(t) + "[" + (best - starts[t]) + "]");
            checked++;
        }
        assertEquals(4, checked);
    }

    static Map<String, NpyArray> with(Map<String, NpyArray> a, Map<String, NpyArray> b) {
        Map<String, NpyArray> m = new java.util.LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    @Test
    void onClipTinysOwnTextsStageAIsClamped(@TempDir Path dir) {
        MaskGeneratorTrainer.Result r = new MaskGeneratorTrainer(tiny.model, dir).train(data, text, null,
                options("a", 2, () -> false), (s, l) -> { });
        double saturated = -Math.log(1e-4f) + 2.4 * -Math.log(1 - 1e-4f);
        assertEquals(saturated, r.losses()[0], 1e-4 * saturated);
        assertEquals(r.losses()[0], r.losses()[1], "no gradient below the clamp");
    }

    @Test
    void stageALossFallsAndTheExportRunsThroughOnnxCams(@TempDir Path dir) throws Exception {
        MaskGeneratorTrainer.Result r = new MaskGeneratorTrainer(tiny.model, dir).train(data, negated, null,
                options("a", 6, () -> false), (s, l) -> { });
        double[] l = r.losses();
        System.out.println("mask generator stage a on clip-tiny (negated texts), 6 AdamW steps: " + java.util.Arrays.toString(l));
        assertTrue(l[5] < l[0] - 1e-4, "loss falls: " + java.util.Arrays.toString(l));

        MaskGeneratorTrainer.export(tiny.model, r.head(), CLASSES, dir);
        assertTrue(Files.exists(dir.resolve(MaskGeneratorTrainer.META)));
        OnnxCams cams = new OnnxCams(dir.resolve(MaskGeneratorTrainer.ONNX), tiny.sessions);
        assertEquals(CLASSES, cams.classes());
        Raster8 image = Raster8.blank(50, 40, 3);
        byte[] d = image.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 37 % 251);
        }
        Cams c = cams.compute(new ImageContext(image, x -> null), List.of(ClassPrompt.of("dog"), ClassPrompt.of("cat")));
        assertEquals(50, c.width());
        assertEquals(40, c.height());
        assertEquals(2, c.maps().length);
        for (float[] m : c.maps()) {
            assertEquals(50 * 40, m.length);
            for (float v : m) {
                assertTrue(v >= 0 && v <= 1, "in [0,1]: " + v);
            }
        }
    }

    @Test
    void stageCResumesExactly(@TempDir Path a, @TempDir Path b) {
        float[] prompts = negated.clone();
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = negated[(i + 7) % negated.length];
        }
        MaskGeneratorTrainer.Result full = new MaskGeneratorTrainer(tiny.model, a).train(data, negated, prompts,
                options("c", 4, () -> false), (s, l) -> { });
        int[] seen = {0};
        MaskGeneratorTrainer.Result part = new MaskGeneratorTrainer(tiny.model, b).train(data, negated, prompts,
                options("c", 4, () -> seen[0] >= 2), (s, l) -> seen[0]++);
        assertEquals(2, part.losses().length);
        MaskGeneratorTrainer.Result resumed = new MaskGeneratorTrainer(tiny.model, b).train(data, negated, prompts,
                options("c", 4, () -> false), (s, l) -> { });
        assertArrayEquals(full.losses(), resumed.losses(), "same loss curve");
        assertArrayEquals(full.head().flat(), resumed.head().flat(), "same head");
    }

    static MaskGeneratorTrainer.Options minibatch(int steps, boolean adapters, java.util.function.BooleanSupplier cancelled) {
        return new MaskGeneratorTrainer.Options(Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f), Schedule.parse("cosine", 0.05f, steps),
                steps, "a", 3, H, 3, 1, cancelled, 1, adapters);
    }

    @Test
    void minibatchRunResumesExactly(@TempDir Path a, @TempDir Path b) {
        MaskGeneratorTrainer.Result full = new MaskGeneratorTrainer(tiny.model, a).train(data, negated, null,
                minibatch(5, false, () -> false), (s, l) -> { });
        int[] seen = {0};
        MaskGeneratorTrainer.Result part = new MaskGeneratorTrainer(tiny.model, b).train(data, negated, null,
                minibatch(5, false, () -> seen[0] >= 2), (s, l) -> seen[0]++);
        assertEquals(2, part.losses().length);
        MaskGeneratorTrainer.Result resumed = new MaskGeneratorTrainer(tiny.model, b).train(data, negated, null,
                minibatch(5, false, () -> false), (s, l) -> { });
        assertArrayEquals(full.losses(), resumed.losses(), "same loss curve");
        assertArrayEquals(full.head().flat(), resumed.head().flat(), "same head");
        assertTrue(Files.isRegularFile(b.resolve("optimizer_model.onnx")) && Files.isRegularFile(b.resolve("eval_model.onnx")));
        // one pair per step: the losses of single pairs differ from step to step
        assertTrue(java.util.Arrays.stream(full.losses()).distinct().count() > 2, java.util.Arrays.toString(full.losses()));
    }

    @Test
    void jointAdaptersTrainWithTheHead(@TempDir Path dir) {
        MaskGeneratorTrainer.Options o = new MaskGeneratorTrainer.Options(Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f),
                Schedule.parse("constant", 0.05f, 6), 6, "a", 1, H, 5, 0, () -> false, 0, true);
        MaskGeneratorTrainer.Result r = new MaskGeneratorTrainer(tiny.model, dir).train(data, negated, null, o, (s, l) -> { });
        double[] l = r.losses();
        System.out.println("mask generator + adapters, stage a on clip-tiny (negated texts): " + java.util.Arrays.toString(l));
        assertTrue(l[5] < l[0] - 1e-4, "loss falls: " + java.util.Arrays.toString(l));
        int e = tiny.model.config().projectionDim();
        float[] init = org.clipwsss.runtime.clip.Adapters.init(e, e / 4, 1).flat();
        float[] trained = r.adapters().flat();
        double moved = 0;
        for (int i = 0; i < init.length; i++) {
            moved = Math.max(moved, Math.abs(init[i] - trained[i]));
        }
        assertTrue(moved > 1e-3, "the adapters moved: " + moved);
        assertEquals(r.head().flat().length + trained.length, r.flat().length);
    }

    @Test
    void javaHeadMapsEqualTheExportedNetwork(@TempDir Path dir) {
        MaskGeneratorTrainer trainer = new MaskGeneratorTrainer(tiny.model, dir);
        int e = tiny.model.config().projectionDim();
        MaskGenerator head = MaskGenerator.init(e, H, 2, 11);
        MaskGeneratorTrainer.export(tiny.model, head, CLASSES, dir);
        float[] feats = trainer.features(data);
        GraphRunner runner = new GraphRunner(tiny.sessions, dir.resolve(MaskGeneratorTrainer.ONNX));
        String input = runner.inputNames().iterator().next();
        float[] px = data.images().pixels(1);
        float[] maps = runner.run(Map.of(input, NpyArray.ofFloats(px, 1, 3, S, S)), List.of("maps")).get("maps").floats();
        int grid = S / tiny.model.config().vision().patchSize();
        for (int c = 0; c < 2; c++) {
            float[] java = head.classMap(feats, feats.length / 2, grid, c, S);
            for (int q = 0; q < S * S; q += 97) {
                assertEquals(maps[c * S * S + q], java[q], 1e-4, "class " + c + " pixel " + q);
            }
        }
    }

    @Test
    void aStopBetweenWritingTheTensorsAndTheJsonStillResumesExactly(@TempDir Path a, @TempDir Path b) throws Exception {
        MaskGeneratorTrainer.Result full = new MaskGeneratorTrainer(tiny.model, a).train(data, negated, null,
                minibatch(5, false, () -> false), (s, l) -> { });
        int[] seen = {0};
        new MaskGeneratorTrainer(tiny.model, b).train(data, negated, null, minibatch(5, false, () -> seen[0] >= 2), (s, l) -> seen[0]++);
        String atStep2 = Files.readString(b.resolve("checkpoint.json"));
        seen[0] = 0;
        new MaskGeneratorTrainer(tiny.model, b).train(data, negated, null, minibatch(5, false, () -> seen[0] >= 1), (s, l) -> seen[0]++);
        // as if the run had been killed after checkpoint.safetensors (step 3) was renamed into place, before checkpoint.json
        Files.writeString(b.resolve("checkpoint.json"), atStep2);
        MaskGeneratorTrainer.Result resumed = new MaskGeneratorTrainer(tiny.model, b).train(data, negated, null,
                minibatch(5, false, () -> false), (s, l) -> { });
        assertArrayEquals(full.losses(), resumed.losses(), "same loss curve");
        assertArrayEquals(full.head().flat(), resumed.head().flat(), "same head");
    }

    @Test
    void featuresDoNotDependOnTheBatchOrTheCacheBudget() {
        FeatureCache kept = new FeatureCache(tiny.model, FeatureCache.DEFAULT_BYTES);
        FeatureCache none = new FeatureCache(tiny.model, 0);
        float[] both = kept.of(data, new int[] {0, 1});
        float[] reversed = none.of(data, new int[] {1, 0});
        int half = both.length / 2;
        assertArrayEquals(java.util.Arrays.copyOfRange(both, 0, half), java.util.Arrays.copyOfRange(reversed, half, 2 * half));
        assertArrayEquals(java.util.Arrays.copyOfRange(both, half, 2 * half), java.util.Arrays.copyOfRange(reversed, 0, half));
        assertArrayEquals(both, kept.of(data, new int[] {0, 1}), "served from the cache");
    }
}
