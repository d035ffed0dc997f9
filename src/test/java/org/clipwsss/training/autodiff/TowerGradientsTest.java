package org.clipwsss.training.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.model.Weights;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradients of the CLIP towers against the PyTorch reference gradients (1e-3 of the largest magnitude). */
class TowerGradientsTest {
    private static final double TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"clip-tiny", "clip-odd"})
    void textTowerFromEmbeddings(String model) {
        Map<String, NpyArray> feeds = textFeeds(model);
        feeds.put("probe", Fixtures.reference(model, "probe_vector"));
        Map<String, NpyArray> out = differentiateText(model, (g, cfg) -> {
            g.input("probe", ElemType.FLOAT, cfg.projectionDim());
            return Losses.dot(g, "text_embeds", "probe");
        }, feeds, "inputs_embeds");
        assertRelativelyClose(model, "grad_text_inputs_embeds", out.get("grad:inputs_embeds"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip-tiny", "clip-odd"})
    void imageTowerWithRespectToASoftMask(String model) {
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("pixel_values", Fixtures.reference(model, "pixel_values"));
        feeds.put("soft_mask", Fixtures.reference(model, "soft_mask"));
        feeds.put("probe", Fixtures.reference(model, "probe_vector"));
        Map<String, NpyArray> out = differentiate(model, (cfg, weights) -> {
            GraphBuilder g = new GraphBuilder("soft_mask");
            int s = cfg.vision().imageSize();
            String pixels = g.input("pixel_values", ElemType.FLOAT, 2, 3, s, s);
            String mask = g.input("soft_mask", ElemType.FLOAT, 2, 1, s, s);
            String embeds = ClipGraphs.visionEmbeds(g, cfg, weights, g.mul(pixels, mask));
            return probeLoss(g, cfg, embeds);
        }, feeds, "soft_mask");
        assertRelativelyClose(model, "grad_soft_mask", out.get("grad:soft_mask"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip-tiny", "clip-odd"})
    void imageTowerWithRespectToTheLastLayerInput(String model) {
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("hidden", Fixtures.reference(model, "last_layer_input"));
        feeds.put("probe", Fixtures.reference(model, "probe_vector"));
        Map<String, NpyArray> out = differentiate(model, (cfg, weights) -> {
            GraphBuilder g = new GraphBuilder("last_layer");
            ClipConfig.Tower v = cfg.vision();
            String hidden = g.input("hidden", ElemType.FLOAT, 2, 1 + v.patches(), v.hiddenSize());
            return probeLoss(g, cfg, ClipGraphs.visionEmbedsFromLayer(g, cfg, weights, hidden, v.layers() - 1));
        }, feeds, "hidden");
        assertRelativelyClose(model, "grad_last_layer_input", out.get("grad:hidden"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip-tiny", "clip-odd"})
    void cosineLossOfTheTextTower(String model) {
        Map<String, NpyArray> feeds = textFeeds(model);
        feeds.put("image_embeds", Fixtures.reference(model, "image_embeds"));
        Map<String, NpyArray> out = differentiateText(model, (g, cfg) -> {
            String v = g.input("image_embeds", ElemType.FLOAT, 2, cfg.projectionDim());
            String u = g.slice("text_embeds", new long[] {0}, new long[] {2}, new long[] {0});
            return Losses.cosine(g, u, v);
        }, feeds, "inputs_embeds");
        float expected = Fixtures.reference(model, "cosine_loss").toFloats()[0];
        assertEquals(expected, out.get("loss").toFloats()[0], 1e-4 * Math.max(1, Math.abs(expected)), "cosine_loss");
        assertRelativelyClose(model, "grad_cosine_loss_inputs_embeds", out.get("grad:inputs_embeds"));
    }

    private static Map<String, NpyArray> textFeeds(String model) {
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("inputs_embeds", Fixtures.reference(model, "text_inputs_embeds"));
        feeds.put("eot_position", Fixtures.reference(model, "text_eot_position"));
        return feeds;
    }

    private static Graph probeLoss(GraphBuilder g, ClipConfig cfg, String embeds) {
        String probe = g.input("probe", ElemType.FLOAT, cfg.projectionDim());
        g.output(Losses.dot(g, embeds, probe), "loss", ElemType.FLOAT);
        return g.build();
    }

    /** A head on the text tower from embeddings: (builder over the TEXT_FROM_EMBEDS graph, config) -> scalar. */
    private Map<String, NpyArray> differentiateText(String model, TextHead head, Map<String, NpyArray> feeds, String wrt) {
        return differentiate(model, (cfg, weights) -> {
            GraphBuilder g = GraphBuilder.extend(ClipGraphs.build(ClipGraphs.Kind.TEXT_FROM_EMBEDS, cfg, weights));
            g.output(head.loss(g, cfg), "loss", ElemType.FLOAT);
            return g.build();
        }, feeds, wrt);
    }

    @FunctionalInterface
    interface TextHead {
        String loss(GraphBuilder g, ClipConfig cfg);
    }

    /** Builds the forward graph (with the scalar output "loss"), differentiates it and runs it. */
    private Map<String, NpyArray> differentiate(String model, BiFunction<ClipConfig, Weights, Graph> build,
            Map<String, NpyArray> feeds, String wrt) {
        Path folder = Fixtures.model(model);
        ClipConfig cfg = ClipConfig.load(folder.resolve("config.json"));
        try (SafetensorsFile st = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            Graph forward = build.apply(cfg, new org.clipwsss.runtime.clip.SafetensorsWeights(st));
            Map<String, long[]> shapes = new LinkedHashMap<>();
            feeds.forEach((k, v) -> shapes.put(k, v.shape()));
            Graph backward = Gradients.of(forward, "loss", List.of(wrt), shapes);
            return GradCheck.runner(backward, dir).run(feeds, List.of("loss", Gradients.gradName(wrt)));
        }
    }

    private static void assertRelativelyClose(String model, String reference, NpyArray actual) {
        NpyArray expected = Fixtures.reference(model, reference);
        assertArrayEquals(expected.shape(), actual.shape(), reference + " shape");
        double largest = 0;
        for (float f : expected.toFloats()) {
            largest = Math.max(largest, Math.abs(f));
        }
        // clip-tiny's cosines are all below the clamp, so its reference gradient is exactly zero: compare absolutely
        double relative = Fixtures.maxAbsDiff(expected, actual) / (largest > 0 ? largest : 1);
        System.out.printf("%s %s: max abs diff / max |ref| = %.3g%n", model, reference, relative);
        assertTrue(relative <= TOLERANCE, model + " " + reference + ": relative error " + relative);
    }
}
