package org.clipwsss.training.gradcam;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.training.autodiff.Gradients;
import org.clipwsss.training.autodiff.Losses;

/**
 * The graphs the Grad-CAM sources build over a model's weights, kept in the model's graph cache (or written to a
 * given folder), one session each; and the pieces both sources share.
 */
final class GraphFiles {
    @FunctionalInterface
    interface Builder {
        Graph build(SafetensorsWeights weights);
    }

    private final ClipModel model;
    private final String tag;
    private final Map<String, GraphRunner> runners = new java.util.HashMap<>();

    /**
     * @param tag what the source's graphs bake in besides the weights and the shapes in their names (its logit scale),
     *     and the version of its graph code
     */
    GraphFiles(ClipModel model, String tag) {
        this.model = model;
        this.tag = tag;
    }

    /** The tag of a source whose graphs bake in {@code logitScale}: its bits, and the graph code's version. */
    static String tag(String version, float logitScale) {
        return version + "_s" + Integer.toHexString(Float.floatToIntBits(logitScale));
    }

    /**
     * A session on the float graph {@code name} (which, with {@link #tag}, says everything the builder bakes in besides
     * the weights), built the first time any run asks for it, in the model's graph cache ({@link ClipModel#builtGraph}). Gradient graphs go through here: they stay
     * float with {@code --variant quantized} (int8 gradients turned a tenth of the random-weight sample's clip-es maps
     * upside down).
     */
    synchronized GraphRunner runner(String name, Builder builder) {
        return runner(name, builder, false);
    }

    /** As {@link #runner(String, Builder)}; with {@code quantizable} the graph is int8 under {@code --variant quantized}. */
    synchronized GraphRunner runner(String name, Builder builder, boolean quantizable) {
        GraphRunner r = runners.get(name);
        if (r == null) {
            String tagged = name + "_" + tag;
            r = new GraphRunner(model.sessions(), model.builtGraph(tagged, builder::build, quantizable));
            runners.put(name, r);
        }
        return r;
    }

    /**
     * The vision trunk on any whole-image grid ({@link ClipGraphs#visionGridTrunk}): pixels [B,3,H,W] and
     * position_embeddings [1+N,W] -> hidden (entering the last layer), ln1 (its layer_norm1), attention (averaged
     * over heads and the last {@code attentionLayers} layers, patch tokens only).
     */
    GraphRunner gridTrunk(int attentionLayers) {
        return gridTrunkRunner("grid_trunk", (g, weights, pixels, pos) ->
                ClipGraphs.visionGridTrunk(g, model.config(), weights, pixels, pos, firstAttention(attentionLayers)), (g, out) -> {
                    g.output(out[2], "attention", ElemType.FLOAT, "batch", "patches", "patches");
                    g.output(transition(g, out[2]), "transition", ElemType.FLOAT, "batch", "patches", "patches");
                });
    }

    /**
     * {@link #gridTrunk} without the last layer's attention ({@link ClipGraphs#visionGridTrunkBeforeLastAttention}), for
     * a tail that computes that layer anyway: pixels and position_embeddings -> hidden, ln1 and, when the average has
     * earlier layers, earlier_attention (their share of it, every token kept).
     */
    GraphRunner gridTrunkBeforeLastAttention(int attentionLayers) {
        return gridTrunkRunner("grid_trunk_before_last_attention", (g, weights, pixels, pos) ->
                ClipGraphs.visionGridTrunkBeforeLastAttention(g, model.config(), weights, pixels, pos, firstAttention(attentionLayers)),
                (g, out) -> {
                    if (out[2] != null) {
                        g.output(out[2], "earlier_attention", ElemType.FLOAT, "batch", "tokens", "tokens");
                    }
                });
    }

    /** A grid trunk's ops from its inputs: {hidden, ln1, anything else the outputs need}. */
    @FunctionalInterface
    private interface TrunkBody {
        String[] build(GraphBuilder g, org.clipwsss.runtime.model.Weights weights, String pixels, String positions);
    }

    /**
     * A trunk graph (int8 under {@code --variant quantized}): pixel_values [B,3,H,W] and position_embeddings [1+N,W] in,
     * hidden and ln1 out, then what {@code more} declares from the body's values.
     */
    private GraphRunner gridTrunkRunner(String name, TrunkBody body, java.util.function.BiConsumer<GraphBuilder, String[]> more) {
        int w = model.config().vision().hiddenSize();
        return runner(name, weights -> {
            GraphBuilder g = new GraphBuilder(name);
            String pixels = g.input("pixel_values", ElemType.FLOAT, "batch", 3, "height", "width");
            String pos = g.input("position_embeddings", ElemType.FLOAT, "tokens", w);
            String[] out = body.build(g, weights, pixels, pos);
            g.output(out[0], "hidden", ElemType.FLOAT, "batch", "tokens", w);
            g.output(out[1], "ln1", ElemType.FLOAT, "batch", "tokens", w);
            more.accept(g, out);
            return g.build();
        }, true);
    }

    /** The first of the last {@code attentionLayers} vision layers (all of them when there are fewer). */
    int firstAttention(int attentionLayers) {
        return Math.max(0, model.config().vision().layers() - attentionLayers);
    }

    /**
     * CLIP-ES's class-independent transition matrix in the graph, so the n x n product runs in ONNX Runtime's
     * matrix kernels ({@link AttentionAffinity#transition} is the same in plain Java): the attention [B,N,N] divided by
     * its column sums, then by its row sums, three times; (T + T^T) / 2; T T.
     */
    static String transition(GraphBuilder g, String attention) {
        g.scope("vision.transition");
        String columns = g.constantLongs("axis_columns", 1);
        String rows = g.constantLongs("axis_rows", 2);
        String t = attention;
        for (int round = 0; round < 3; round++) {
            t = g.div(t, g.op("ReduceSum", List.of(t, columns), Map.of("keepdims", 1L)));
            t = g.div(t, g.op("ReduceSum", List.of(t, rows), Map.of("keepdims", 1L)));
        }
        String symmetric = g.mul(g.add(t, g.transpose(t, 0, 2, 1)), g.constant("half", 0.5f));
        return g.matMul(symmetric, symmetric);
    }

    /** A token-count placeholder in the shapes given to {@link #anyTokenCount}. */
    static final long TOKENS = -1;

    /**
     * The per-scalar gradients of a tail graph whose inputs have a symbolic token axis, one graph for every token count
     * ({@link Gradients#ofEachAnySize}): derived at 7x7 and 9x9 patch grids plus the class token, {@link #TOKENS} in
     * {@code shapes} standing for the token count.
     */
    static Graph anyTokenCount(Graph forward, List<String> scalars, List<String> wrt, Map<String, long[]> shapes) {
        return Gradients.ofEachAnySize(forward, scalars, wrt, withTokens(shapes, 50), withTokens(shapes, 82));
    }

    /** As above, for a graph {@code derive} builds on {@code forward} ({@link Gradients#anySize}). */
    static Graph anyTokenCount(Graph forward, java.util.function.Function<Map<String, long[]>, Graph> derive, Map<String, long[]> shapes) {
        return Gradients.anySize(forward, derive, withTokens(shapes, 50), withTokens(shapes, 82));
    }

    private static Map<String, long[]> withTokens(Map<String, long[]> shapes, long tokens) {
        Map<String, long[]> out = new java.util.HashMap<>();
        shapes.forEach((name, shape) -> out.put(name, java.util.Arrays.stream(shape).map(d -> d == TOKENS ? tokens : d).toArray()));
        return out;
    }

    /**
     * The Grad-CAM target of the gradcam source, on the unit-length image embeddings [R,E]: {@code probabilities}
     * ({@link #softmaxProbabilities}), and {@code score} = the sum over the rows of the probability {@code target}
     * [R,T] (one-hot) picks; returns the graph's {@code text} and {@code target} inputs' shapes for the gradient
     * derivation.
     */
    static Map<String, long[]> softmaxScore(GraphBuilder g, String embeds, float logitScale, int rows, int texts, int dim) {
        String probs = softmaxProbabilities(g, embeds, logitScale, rows, texts, dim);
        String target = g.input("target", ElemType.FLOAT, rows, texts);
        g.output(Losses.dot(g, probs, target), "score", ElemType.FLOAT);
        return Map.of("text", new long[] {texts, dim}, "target", new long[] {rows, texts});
    }

    /**
     * Output {@code probabilities} [R,T] = softmax(scale * embeds texts^T) of the unit-length image embeddings [R,E]
     * over the texts [T,E] (the graph's input {@code text}); returns its value name.
     */
    static String softmaxProbabilities(GraphBuilder g, String embeds, float logitScale, int rows, int texts, int dim) {
        String text = g.input("text", ElemType.FLOAT, texts, dim);
        String logits = g.mul(g.matMul(embeds, g.transpose(text, 1, 0)), g.constant("logit_scale", logitScale));
        String probs = g.softmax(logits, -1);
        g.output(probs, "probabilities", ElemType.FLOAT, rows, texts);
        return probs;
    }
}
