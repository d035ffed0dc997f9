package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.training.autodiff.Gradients;
import org.clipwsss.training.autodiff.Losses;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link PatchSumGradient} against the full gradient with respect to ln1 that {@link Gradients} derives through the
 * whole attention, summed over the patch rows in Java: CLIP-ES's tail (the last layer, the pooled embedding, the
 * softmax over texts) on both conformance models, at token counts of real grids and one without a square grid.
 */
class PatchSumGradientTest {
    private static final int TEXTS = 4;
    private static final int LABELS = 2;
    @TempDir
    static Path dir;

    @ParameterizedTest(name = "{0}, {1} tokens")
    @CsvSource({"clip-tiny, 50", "clip-tiny, 13", "clip-odd, 26", "clip-odd, 101"})
    void equalsTheFullGradientSummedOverThePatches(String name, int tokens) throws IOException {
        Path folder = Fixtures.model(name);
        ClipConfig cfg = ClipConfig.load(folder.resolve("config.json"));
        int w = cfg.vision().hiddenSize();
        int e = cfg.projectionDim();
        Path full = dir.resolve(name + tokens + "_full.onnx");
        Path summed = dir.resolve(name + tokens + "_summed.onnx");
        try (SafetensorsFile st = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            GraphBuilder g = new GraphBuilder("tail");
            String hidden = g.input("hidden", ElemType.FLOAT, 1, tokens, w);
            String ln1 = g.input("ln1", ElemType.FLOAT, 1, tokens, w);
            SafetensorsWeights weights = new SafetensorsWeights(st);
            ClipGraphs.Attention a = ClipGraphs.visionLastAttention(g, cfg, weights, ln1);
            String embeds = Losses.l2Normalize(g, ClipGraphs.visionGridEmbedsFromAttended(g, cfg, weights, hidden, a.attended()));
            String probs = GraphFiles.softmaxProbabilities(g, embeds, 3f, 1, TEXTS, e);
            List<String> scores = new ArrayList<>();
            for (int c = 0; c < LABELS; c++) {
                g.output(g.slice(probs, new long[] {0, c}, new long[] {1, c + 1}, new long[] {0, 1}), "score_" + c, ElemType.FLOAT, 1, 1);
                scores.add("score_" + c);
            }
            Graph forward = g.build();
            OnnxWriter.write(Gradients.ofEach(forward, scores, List.of("ln1"), Map.of()), full, Map.of());
            GraphBuilder b = GraphBuilder.extend(forward);
            for (int c = 0; c < LABELS; c++) {
                String d = Gradients.backwardInto(b, forward, Map.of(), "score_" + c, List.of(a.attended())).get(a.attended());
                b.output(PatchSumGradient.of(b, a, d, cfg.vision().heads(), w), "sum_" + c, ElemType.FLOAT, 1, w);
            }
            OnnxWriter.write(b.build(), summed, Map.of());
        }
        Random rnd = new Random(tokens);
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("hidden", gaussian(rnd, 3f, 1, tokens, w));
        feeds.put("ln1", gaussian(rnd, 1f, 1, tokens, w));
        feeds.put("text", unitRows(rnd, TEXTS, e));
        List<String> fullNames = new ArrayList<>();
        List<String> sumNames = new ArrayList<>();
        for (int c = 0; c < LABELS; c++) {
            fullNames.add(Gradients.gradName("score_" + c, "ln1"));
            sumNames.add("sum_" + c);
        }
        Map<String, NpyArray> reference;
        Map<String, NpyArray> got;
        try (SessionFactory sessions = new SessionFactory(Device.CPU, 2)) {
            reference = new GraphRunner(sessions, full).run(feeds, fullNames);
            got = new GraphRunner(sessions, summed).run(feeds, sumNames);
        }
        for (int c = 0; c < LABELS; c++) {
            float[] grad = reference.get(fullNames.get(c)).floats();
            double[] patches = new double[w];
            double[] all = new double[w];
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j < w; j++) {
                    all[j] += grad[t * w + j];
                    if (t > 0) {
                        patches[j] += grad[t * w + j];
                    }
                }
            }
            float[] sum = got.get(sumNames.get(c)).floats();
            assertEquals(w, sum.length);
            double scale = 0;
            double error = 0;
            double classRow = 0;
            for (int j = 0; j < w; j++) {
                scale = Math.max(scale, Math.abs(patches[j]));
                error = Math.max(error, Math.abs(sum[j] - patches[j]));
                classRow = Math.max(classRow, Math.abs(all[j] - patches[j]));
            }
            String what = name + " " + tokens + " tokens, label " + c;
            assertTrue(scale > 1e-6, what + ": a gradient to compare (" + scale + ")");
            assertTrue(error <= 2e-6 * scale, what + ": max difference " + error + " against max " + scale);
            // the class token's row is left out: with it the sum would be off by far more than the tolerance
            assertTrue(classRow > 1e-2 * scale, what + ": the class row matters (" + classRow + ")");
        }
    }

    private static NpyArray gaussian(Random rnd, float sigma, long... shape) {
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (sigma * rnd.nextGaussian());
        }
        return NpyArray.ofFloats(v, shape);
    }

    private static NpyArray unitRows(Random rnd, int rows, int dim) {
        float[] v = gaussian(rnd, 1f, rows, dim).floats();
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int j = 0; j < dim; j++) {
                n += v[r * dim + j] * v[r * dim + j];
            }
            for (int j = 0; j < dim; j++) {
                v[r * dim + j] /= (float) Math.sqrt(n);
            }
        }
        return NpyArray.ofFloats(v, rows, dim);
    }
}
