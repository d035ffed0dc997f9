package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.Fixtures;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.model.Weights;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The averaged attention of {@link ClipGraphs#visionHiddenEnteringWithAttention} against the same attention
 * computed in plain Java (layer_norm1, q_proj, k_proj, per-head softmax, mean over heads and layers, class token
 * dropped) from the weights in model.safetensors and the hidden states entering each layer, these taken from the
 * existing {@link ClipGraphs#visionHiddenEntering} graphs and, for the last layer, from the PyTorch reference.
 */
class GradCamAttentionTest {
    @TempDir
    static Path dir;
    static SessionFactory sessions;

    @BeforeAll
    static void start() {
        sessions = new SessionFactory(Device.CPU, 2);
    }

    @AfterAll
    static void stop() {
        sessions.close();
    }

    /** All layers averaged, on the conformance images, at the model's size and (clip-tiny) a larger grid. */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"clip-tiny, 224", "clip-tiny, 288", "clip-odd, 160"})
    void averagedAttentionMatchesPlainJava(String name, int size) {
        Path folder = Fixtures.model(name);
        ClipConfig cfg = ClipConfig.load(folder.resolve("config.json"));
        ClipConfig.Tower v = cfg.vision();
        int layers = v.layers();
        NpyArray pixels = pixels(name, size);
        int b = (int) pixels.shape()[0];
        int grid = size / v.patchSize();
        int n = grid * grid;
        Map<String, NpyArray> out = run(folder, "attention_" + name + size, (g, w) -> {
            String px = g.input("pixel_values", ElemType.FLOAT, b, 3, size, size);
            String[] ha = ClipGraphs.visionHiddenEnteringWithAttention(g, cfg, w, px, layers - 1, size, 0);
            g.output(ha[0], "hidden", ElemType.FLOAT, b, 1 + n, v.hiddenSize());
            g.output(ha[1], "attention", ElemType.FLOAT, b, n, n);
        }, pixels, List.of("hidden", "attention"));
        assertArrayEquals(new long[] {b, n, n}, out.get("attention").shape());
        double[] expected = new double[b * n * n];
        try (SafetensorsFile st = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            for (int layer = 0; layer < layers; layer++) {
                int l = layer;
                NpyArray hidden = run(folder, "hidden_" + name + size + "_" + l, (g, w) -> {
                    String px = g.input("pixel_values", ElemType.FLOAT, b, 3, size, size);
                    g.output(ClipGraphs.visionHiddenEntering(g, cfg, w, px, l, size), "hidden", ElemType.FLOAT, b, 1 + n,
                            v.hiddenSize());
                }, pixels, List.of("hidden")).get("hidden");
                if (l == layers - 1) {
                    // the hidden state output next to the attention is the one entering the last layer
                    Fixtures.assertClose(hidden, out.get("hidden"), 1e-5, name + " hidden");
                }
                double[] a = attention(st, cfg, l, hidden.floats(), b, 1 + n);
                for (int i = 0; i < a.length; i++) {
                    expected[i] += a[i] / layers;
                }
            }
        }
        assertClose(expected, out.get("attention").floats(), 1e-5, name + " averaged attention");
        // rows are sub-stochastic (the class token's column dropped): each sums to less than 1
        float[] att = out.get("attention").floats();
        for (int r = 0; r < b * n; r++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += att[r * n + j];
            }
            assertTrue(sum > 0 && sum < 1, "row sum " + sum);
        }
    }

    /** Only the last layer's attention, against plain Java from the PyTorch reference's last-layer input. */
    @ParameterizedTest
    @ValueSource(strings = {"clip-tiny", "clip-odd"})
    void lastLayerAttentionMatchesThePyTorchState(String name) {
        Path folder = Fixtures.model(name);
        ClipConfig cfg = ClipConfig.load(folder.resolve("config.json"));
        ClipConfig.Tower v = cfg.vision();
        int size = v.imageSize();
        int n = v.patches();
        int last = v.layers() - 1;
        NpyArray pixels = Fixtures.reference(name, "pixel_values");
        int b = (int) pixels.shape()[0];
        Map<String, NpyArray> out = run(folder, "last_attention_" + name, (g, w) -> {
            String px = g.input("pixel_values", ElemType.FLOAT, b, 3, size, size);
            String[] ha = ClipGraphs.visionHiddenEnteringWithAttention(g, cfg, w, px, last, size, last);
            g.output(ha[0], "hidden", ElemType.FLOAT, b, 1 + n, v.hiddenSize());
            g.output(ha[1], "attention", ElemType.FLOAT, b, n, n);
        }, pixels, List.of("hidden", "attention"));
        NpyArray reference = Fixtures.reference(name, "last_layer_input");
        Fixtures.assertClose(reference, out.get("hidden"), 1e-4, name + " hidden vs PyTorch");
        try (SafetensorsFile st = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            assertClose(attention(st, cfg, last, reference.floats(), b, 1 + n), out.get("attention").floats(), 1e-5,
                    name + " last-layer attention");
        }
    }

    /** GradCamCams' own trunk averages the last min(8, layers) layers: all of clip-tiny's two. */
    @Test
    void gradCamTrunkAveragesAllLayersOfASmallTower(@TempDir Path work) {
        Path folder = Fixtures.CLIP_TINY;
        ClipConfig cfg = ClipConfig.load(folder.resolve("config.json"));
        int n = cfg.vision().patches();
        int size = cfg.vision().imageSize();
        NpyArray pixels = Fixtures.reference("clip-tiny", "pixel_values");
        int b = (int) pixels.shape()[0];
        Map<String, NpyArray> all = run(folder, "all_layers", (g, w) -> {
            String px = g.input("pixel_values", ElemType.FLOAT, b, 3, size, size);
            g.output(ClipGraphs.visionHiddenEnteringWithAttention(g, cfg, w, px, 1, size, 0)[1], "attention", ElemType.FLOAT, b, n, n);
        }, pixels, List.of("attention"));
        try (TinyModel tiny = new TinyModel(work.resolve("cache"))) {
            GradCamCams cams = new GradCamCams(tiny.model, TextEmbeddings.of(tiny.model), "a photo of {}.",
                    BackgroundPrompts.none(), 10f, 0, 1.0 / 3, 4, true);
            Fixtures.assertClose(all.get("attention"), cams.attention(pixels), 1e-6, "GradCamCams attention");
        }
    }

    /** The graph built by {@code body} over the model's weights, written and run on {@code pixels}. */
    private static Map<String, NpyArray> run(Path folder, String name, GraphBody body, NpyArray pixels, List<String> wanted) {
        Path file = dir.resolve(name + ".onnx");
        try (SafetensorsFile st = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            GraphBuilder g = new GraphBuilder(name);
            body.build(g, new SafetensorsWeights(st));
            OnnxWriter.write(g.build(), file, Map.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new GraphRunner(sessions, file).run(Map.of("pixel_values", pixels), wanted);
    }

    @FunctionalInterface
    private interface GraphBody {
        void build(GraphBuilder g, Weights w);
    }

    /** The reference images at {@code size}: the fixtures' pixels, nearest-neighbour resampled when larger. */
    private static NpyArray pixels(String name, int size) {
        NpyArray p = Fixtures.reference(name, "pixel_values");
        int s = (int) p.shape()[2];
        if (s == size) {
            return p;
        }
        int b = (int) p.shape()[0];
        float[] src = p.floats();
        float[] out = new float[b * 3 * size * size];
        for (int c = 0; c < b * 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[(c * size + y) * size + x] = src[(c * s + y * s / size) * s + x * s / size];
                }
            }
        }
        return NpyArray.ofFloats(out, b, 3, size, size);
    }

    /**
     * Layer {@code layer}'s self-attention probabilities from the state entering it, {@code hidden} [B,T,W], in
     * plain Java: y = LayerNorm(hidden), q = y Wq^T + bq, k = y Wk^T + bk, per head softmax(q k^T / sqrt(d)),
     * averaged over heads, the class token's row and column dropped: [B,T-1,T-1].
     */
    static double[] attention(SafetensorsFile st, ClipConfig cfg, int layer, float[] hidden, int b, int t) {
        ClipConfig.Tower v = cfg.vision();
        int w = v.hiddenSize();
        int heads = v.heads();
        int d = v.headDim();
        String p = "vision_model.encoder.layers." + layer;
        float[] gamma = st.readFloats(p + ".layer_norm1.weight");
        float[] beta = st.readFloats(p + ".layer_norm1.bias");
        float[] wq = st.readFloats(p + ".self_attn.q_proj.weight");
        float[] bq = st.readFloats(p + ".self_attn.q_proj.bias");
        float[] wk = st.readFloats(p + ".self_attn.k_proj.weight");
        float[] bk = st.readFloats(p + ".self_attn.k_proj.bias");
        int n = t - 1;
        double[] out = new double[b * n * n];
        for (int bi = 0; bi < b; bi++) {
            double[][] q = new double[t][w];
            double[][] k = new double[t][w];
            for (int i = 0; i < t; i++) {
                int off = (bi * t + i) * w;
                double mean = 0;
                for (int c = 0; c < w; c++) {
                    mean += hidden[off + c];
                }
                mean /= w;
                double var = 0;
                for (int c = 0; c < w; c++) {
                    var += (hidden[off + c] - mean) * (hidden[off + c] - mean);
                }
                var /= w;
                double[] y = new double[w];
                for (int c = 0; c < w; c++) {
                    y[c] = (hidden[off + c] - mean) / Math.sqrt(var + v.layerNormEps()) * gamma[c] + beta[c];
                }
                for (int o = 0; o < w; o++) {
                    double sq = bq[o];
                    double sk = bk[o];
                    for (int c = 0; c < w; c++) {
                        sq += wq[o * w + c] * y[c];
                        sk += wk[o * w + c] * y[c];
                    }
                    q[i][o] = sq;
                    k[i][o] = sk;
                }
            }
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] s = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < t; j++) {
                        double dot = 0;
                        for (int c = h * d; c < (h + 1) * d; c++) {
                            dot += q[i][c] * k[j][c];
                        }
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        z += s[j];
                    }
                    if (i == 0) {
                        continue;
                    }
                    for (int j = 1; j < t; j++) {
                        out[(bi * n + i - 1) * n + j - 1] += s[j] / z / heads;
                    }
                }
            }
        }
        return out;
    }

    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s: max abs diff %.3g%n", what, max);
        assertTrue(max <= tol, what + ": max abs diff " + max + " > " + tol);
    }
}
