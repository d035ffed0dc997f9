package org.clipwsss.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;

/**
 * Builds CLIP's graphs from Hugging Face weights and config, op by op, in the project's graph
 * representation. Weights keep their Hugging Face names as initializers (Linear weights are transposed by a
 * Transpose node that ONNX Runtime folds at load time), so gradient graphs can refer to them by name.
 */
public final class ClipGraphs {
    /** Attention score added where a key must not be seen (causal or padding); exp() of it is exactly 0. */
    static final float MASKED = -1e9f;

    /** The graphs the project builds. */
    public enum Kind {
        /** pixel_values [B,3,S,S] -> image_embeds [B,E], last_hidden_state [B,1+N,W] (before post_layernorm). */
        VISION("vision_model"),
        /** input_ids, attention_mask [B,L] int64 -> text_embeds [B,E], last_hidden_state [B,L,W]. */
        TEXT("text_model"),
        /** inputs_embeds [B,L,W], eot_position [B] int64 -> text_embeds [B,E], last_hidden_state [B,L,W]. */
        TEXT_FROM_EMBEDS("text_model_embeds"),
        /** pixel_values -> dense_embeds [B,N,E] (MaskCLIP: value path of the last layer). */
        DENSE_MASKCLIP("dense_maskclip"),
        /** pixel_values -> dense_embeds [B,N,E] (ClearCLIP: q-q attention, no residual, no MLP). */
        DENSE_CLEARCLIP("dense_clearclip"),
        /**
         * pixel_values [B,3,H,W] (any multiples of the patch size), position_embeddings [1+N,W] (interpolated to
         * that grid by the caller) -> dense_embeds [B,N,E], MaskCLIP's: one graph for every image grid.
         */
        DENSE_MASKCLIP_GRID("dense_maskclip_grid"),
        /** As {@link #DENSE_MASKCLIP_GRID}, ClearCLIP's. */
        DENSE_CLEARCLIP_GRID("dense_clearclip_grid");

        private final String fileStem;

        Kind(String fileStem) {
            this.fileStem = fileStem;
        }

        public String fileName() {
            return fileStem + ".onnx";
        }
    }

    private final ClipConfig config;
    private final Weights weights;
    private final GraphBuilder g;
    private final Set<String> added = new HashSet<>();
    private final String graphName;

    /** Input side of the vision graphs (the config's image_size unless a larger grid was asked for). */
    private final int imageSize;

    private ClipGraphs(ClipConfig config, Weights weights, GraphBuilder g, String name, int imageSize) {
        this.graphName = name;
        this.imageSize = imageSize;
        this.config = config;
        this.weights = weights;
        this.g = g;
    }

    /**
     * Appends the whole vision tower to {@code g}, from {@code pixels} [B,3,S,S] (any value of {@code g}, S the
     * config's image size) to image_embeds [B,E]; returns that value. For heads and gradients through the input.
     */
    public static String visionEmbeds(GraphBuilder g, ClipConfig config, Weights weights, String pixels) {
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", config.vision().imageSize());
        return b.visionHead(b.visionTrunk(pixels, config.vision().layers()));
    }

    /**
     * Appends the vision tower from the hidden state {@code hidden} [B,1+N,W] entering encoder layer
     * {@code firstLayer} (its remaining layers, post_layernorm on token 0, projection) to {@code g}; returns
     * image_embeds [B,E]. For Grad-CAM style gradients with respect to an intermediate state.
     */
    public static String visionEmbedsFromLayer(GraphBuilder g, ClipConfig config, Weights weights, String hidden, int firstLayer) {
        int layers = config.vision().layers();
        if (firstLayer < 0 || firstLayer >= layers) {
            throw new IllegalArgumentException("layer " + firstLayer + " is not one of the " + layers + " vision layers");
        }
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", config.vision().imageSize());
        return b.visionHead(b.visionLayers(hidden, firstLayer, layers));
    }

    /**
     * Appends the vision tower from {@code pixels} [B,3,S,S] (S = {@code imageSize}, a multiple of the patch size;
     * position embeddings resampled when it is not the config's) up to the hidden state entering encoder layer
     * {@code layer} [B,1+N,W] to {@code g}; returns that value. With {@link #visionEmbedsFromLayer} the two halves
     * of the tower, for gradients with respect to that state (Grad-CAM).
     */
    public static String visionHiddenEntering(GraphBuilder g, ClipConfig config, Weights weights, String pixels, int layer,
            int imageSize) {
        int layers = config.vision().layers();
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " is not one of the " + layers + " vision layers");
        }
        int p = config.vision().patchSize();
        if (imageSize <= 0 || imageSize % p != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a positive multiple of the patch size " + p);
        }
        return new ClipGraphs(config, weights, g, "vision_model", imageSize).visionTrunk(pixels, layer);
    }

    /**
     * Like {@link #visionHiddenEntering}, and also the attention CLIP-ES's affinity refinement starts from: the
     * self-attention probabilities {@code softmax(q k^T / sqrt(head_dim))} of encoder layers
     * {@code firstAttention} to {@code layer} inclusive (layer {@code layer}'s depend only on the state entering
     * it), averaged over heads and over those layers, for the patch tokens: the class token's row and column are
     * dropped and the rows are not renormalised. Returns {hidden [B,1+N,W], attention [B,N,N]}.
     */
    public static String[] visionHiddenEnteringWithAttention(GraphBuilder g, ClipConfig config, Weights weights, String pixels,
            int layer, int imageSize, int firstAttention) {
        int layers = config.vision().layers();
        if (layer < 0 || layer >= layers || firstAttention < 0 || firstAttention > layer) {
            throw new IllegalArgumentException("attention layers " + firstAttention + ".." + layer + " are not among the "
                    + layers + " vision layers");
        }
        int p = config.vision().patchSize();
        if (imageSize <= 0 || imageSize % p != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a positive multiple of the patch size " + p);
        }
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", imageSize);
        ClipConfig.Tower v = config.vision();
        List<String> probs = new ArrayList<>();
        String x = b.visionTrunk(pixels, firstAttention);
        for (int i = firstAttention; i < layer; i++) {
            x = b.encoderLayer(x, "vision_model.encoder.layers." + i, v, null, probs);
        }
        String prefix = "vision_model.encoder.layers." + layer;
        g.scope(prefix);
        probs.add(b.attentionProbabilities(b.layerNorm(x, prefix + ".layer_norm1", v), prefix, v, null));
        String patchesOnly = b.patchAttention(probs);
        return new String[] {x, patchesOnly};
    }

    /**
     * CLIP-ES's vision trunk on a whole-image patch grid of any aspect: {@code pixels} [B,3,H,W] (H and W multiples
     * of the patch size; one graph serves every size) and {@code positions} [1+gh*gw, W], the position embeddings
     * interpolated for that grid by the caller (an input, so no weights are rewritten per grid). The patches are
     * embedded by the stride-P convolution, the class token and the positions added, pre_layrnorm, then the first
     * L-1 encoder layers. Returns {the hidden state entering the last layer [B,1+N,W], that layer's
     * layer_norm1 output [B,1+N,W] (CLIP-ES's Grad-CAM target, {@code resblocks[-1].ln_1}), the patch tokens'
     * attention averaged over heads and over layers {@code firstAttention}..L-1, the last included [B,N,N]}.
     */
    public static String[] visionGridTrunk(GraphBuilder g, ClipConfig config, Weights weights, String pixels, String positions,
            int firstAttention) {
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", config.vision().imageSize());
        List<String> probs = new ArrayList<>();
        String[] xl = b.gridTrunk(pixels, positions, firstAttention, probs);
        String prefix = "vision_model.encoder.layers." + (config.vision().layers() - 1);
        probs.add(b.attentionProbabilities(xl[1], prefix, config.vision(), null));
        return new String[] {xl[0], xl[1], b.patchAttention(probs)};
    }

    /**
     * {@link #visionGridTrunk} without the last layer's attention, for a graph that computes that layer's attention
     * anyway ({@link #visionLastAttention}): returns {hidden, ln1, the earlier layers' share of the average [B,1+N,1+N]}:
     * the attention of layers {@code firstAttention}..L-2 averaged over heads, each layer weighted 1/(L - firstAttention),
     * every token kept. {@link #withLastLayerAttention} adds the last layer's share and keeps the patch tokens.
     */
    public static String[] visionGridTrunkBeforeLastAttention(GraphBuilder g, ClipConfig config, Weights weights, String pixels,
            String positions, int firstAttention) {
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", config.vision().imageSize());
        List<String> probs = new ArrayList<>();
        String[] xl = b.gridTrunk(pixels, positions, firstAttention, probs);
        int layers = config.vision().layers() - firstAttention;
        return new String[] {xl[0], xl[1], probs.isEmpty() ? null : b.headAverage(probs, layers)};
    }

    /**
     * The attention of {@link #visionGridTrunk} from the earlier layers' share ({@link #visionGridTrunkBeforeLastAttention};
     * null when the average has the last layer only) and the last layer's probabilities [B,H,T,T]: [B,N,N].
     */
    public static String withLastLayerAttention(GraphBuilder g, ClipConfig config, String earlier, String lastProbabilities,
            int firstAttention) {
        ClipGraphs b = new ClipGraphs(config, null, g, "vision_model", config.vision().imageSize());
        String last = b.headAverage(List.of(lastProbabilities), config.vision().layers() - firstAttention);
        return b.patchesOnly(earlier == null ? last : g.add(earlier, last));
    }

    /**
     * The grid embeddings and the first L-1 layers, the attention probabilities of layers {@code firstAttention}.. of them
     * added to {@code probs}; returns {the hidden state entering the last layer, that layer's layer_norm1 output}.
     */
    private String[] gridTrunk(String pixels, String positions, int firstAttention, List<String> probs) {
        ClipConfig.Tower v = config.vision();
        int last = v.layers() - 1;
        if (firstAttention < 0 || firstAttention > last) {
            throw new IllegalArgumentException("attention layers " + firstAttention + ".." + last + " are not among the "
                    + v.layers() + " vision layers");
        }
        String x = gridEmbeddings(pixels, positions);
        for (int i = 0; i < last; i++) {
            x = encoderLayer(x, "vision_model.encoder.layers." + i, v, null, i >= firstAttention ? probs : null);
        }
        String prefix = "vision_model.encoder.layers." + last;
        g.scope(prefix);
        return new String[] {x, layerNorm(x, prefix + ".layer_norm1", v)};
    }

    /**
     * The values of one attention block that a hand-written backward through it needs, by name in the graph: per head
     * [B,H,T,D] the scaled queries (q_proj(h)·D^-0.5, as they enter q k^T), the keys, the values and the heads' outputs
     * (probabilities times values), the probabilities [B,H,T,T], the heads merged [B,T,W] (before out_proj), and the
     * initializers of the q, k and v projections' weights ([W,W], PyTorch's [out,in]) with the queries' scale.
     */
    public record Attention(String queries, String keys, String values, String probabilities, String headOutputs,
            String attended, String queryWeight, String keyWeight, String valueWeight, float queryScale) {
    }

    /**
     * The last vision layer's self-attention on {@code ln1} (its layer_norm1 output, [B,1+N,W]), up to the heads
     * merged, before out_proj ({@link #visionGridEmbedsFromAttended} takes it from there).
     */
    public static Attention visionLastAttention(GraphBuilder g, ClipConfig config, Weights weights, String ln1) {
        ClipConfig.Tower v = config.vision();
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", v.imageSize());
        String prefix = "vision_model.encoder.layers." + (v.layers() - 1);
        g.scope(prefix);
        int w = v.hiddenSize();
        float scale = (float) Math.pow(v.headDim(), -0.5);
        String q = b.splitHeads(g.mul(b.linear(ln1, prefix + ".self_attn.q_proj", w, w), g.constant("scale", scale)), v);
        String k = b.splitHeads(b.linear(ln1, prefix + ".self_attn.k_proj", w, w), v);
        String probs = g.softmax(g.matMul(q, g.transpose(k, 0, 1, 3, 2)), -1);
        String values = b.splitHeads(b.linear(ln1, prefix + ".self_attn.v_proj", w, w), v);
        String heads = g.matMul(probs, values);
        return new Attention(q, k, values, probs, heads, b.mergeHeads(heads, v), prefix + ".self_attn.q_proj.weight",
                prefix + ".self_attn.k_proj.weight", prefix + ".self_attn.v_proj.weight", scale);
    }

    /**
     * CLIP-ES's image embedding from the last vision layer, given that layer's attention heads merged
     * ({@link Attention#attended()} of {@link #visionLastAttention} on its layer_norm1 output ln1, [B,1+N,W]) and, separately,
     * its residual input {@code hidden} [B,1+N,W], so that a gradient with respect to ln1 reaches it only through the
     * attention, as CLIP-ES's hook on {@code ln_1} sees it: out_proj, the residual, the MLP, post_layernorm on every token,
     * the mean over the patch tokens (the class token left out), times the projection: [B,E], not normalised.
     */
    public static String visionGridEmbedsFromAttended(GraphBuilder g, ClipConfig config, Weights weights, String hidden,
            String attended) {
        ClipConfig.Tower v = config.vision();
        ClipGraphs b = new ClipGraphs(config, weights, g, "vision_model", v.imageSize());
        String prefix = "vision_model.encoder.layers." + (v.layers() - 1);
        g.scope(prefix);
        int w = v.hiddenSize();
        String x = g.add(hidden, b.linear(attended, prefix + ".self_attn.out_proj", w, w));
        String m = b.linear(b.layerNorm(x, prefix + ".layer_norm2", v), prefix + ".mlp.fc1", v.intermediateSize(), w);
        m = b.linear(Activation.apply(g, v.hiddenAct(), m), prefix + ".mlp.fc2", w, v.intermediateSize());
        x = g.add(x, m);
        g.scope("vision.head");
        String post = b.layerNorm(x, "vision_model.post_layernorm", v);
        String patches = g.slice(post, new long[] {1}, new long[] {Long.MAX_VALUE}, new long[] {1});
        String pooled = g.op("ReduceMean", List.of(patches), Map.of("axes", new long[] {1}, "keepdims", 0L));
        return g.matMul(pooled, b.transposed("visual_projection.weight", config.projectionDim(), w));
    }

    /**
     * Patch, class and position embeddings and pre_layrnorm for pixels [B,3,H,W] of any size (multiples of the
     * patch size): the patches embedded by the stride-P convolution, {@code positions} [1+N,W] an input.
     */
    private String gridEmbeddings(String pixels, String positions) {
        ClipConfig.Tower v = config.vision();
        int p = v.patchSize();
        int w = v.hiddenSize();
        g.scope("vision.embeddings");
        String conv = g.op("Conv", List.of(pixels, weight("vision_model.embeddings.patch_embedding.weight", w, 3, p, p)),
                Map.of("strides", new long[] {p, p}, "kernel_shape", new long[] {p, p}));
        String tokens = g.transpose(g.reshape(conv, 0, w, -1), 0, 2, 1);
        String cls = g.reshape(weight("vision_model.embeddings.class_embedding", w), 1, 1, w);
        String clsShape = g.concat(0, g.slice(g.shape(pixels), new long[] {0}, new long[] {1}, new long[] {0}),
                g.constantLongs("one_w", 1, w));
        String x = g.add(g.concat(1, g.expand(cls, clsShape), tokens), positions);
        return layerNorm(x, "vision_model.pre_layrnorm", v);
    }

    /**
     * Whether {@code --variant quantized} quantizes the weight product of this initializer: every one but the patch
     * embedding's (a convolution written as a product; it stays float).
     */
    public static boolean quantizable(String weightName) {
        return !weightName.contains("patch_embedding");
    }

    /**
     * Attention probabilities [B,H,T,T] averaged over heads and the list, class token's row and column dropped: [B,N,N].
     * Each layer's heads are averaged as a product, the vector of 1/(H·layers) times the probabilities seen as
     * [B,H,T·T]: ONNX Runtime's ReduceMean over the head axis took 5-7 ms a layer at 769 tokens, the product 1.1-1.9 ms.
     */
    private String patchAttention(List<String> probs) {
        return patchesOnly(headAverage(probs, probs.size()));
    }

    /** The probabilities [B,H,T,T] of the list, each averaged over heads and weighted 1/layers, summed: [B,T,T]. */
    private String headAverage(List<String> probs, int layers) {
        g.scope("vision.attention");
        int heads = config.vision().heads();
        float[] weight = new float[heads];
        java.util.Arrays.fill(weight, 1f / (heads * layers));
        String average = g.constant("head_layer_average", weight);
        String sum = null;
        for (String a : probs) {
            String mean = g.matMul(average, g.reshape(a, 0, heads, -1));
            sum = sum == null ? mean : g.add(sum, mean);
        }
        String dims = g.shape(probs.get(0));
        String batchTokensTokens = g.concat(0, g.slice(dims, new long[] {0}, new long[] {1}, new long[] {0}),
                g.slice(dims, new long[] {2}, new long[] {4}, new long[] {0}));
        return g.reshapeTo(sum, batchTokensTokens);
    }

    /** [B,T,T] -> [B,N,N]: the class token's row and column dropped. */
    private String patchesOnly(String attention) {
        return g.slice(attention, new long[] {1, 1}, new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, new long[] {1, 2});
    }

    public static Graph build(Kind kind, ClipConfig config, Weights weights) {
        return build(kind, config, weights, config.vision().imageSize());
    }

    /**
     * Builds {@code kind}; vision graphs take {@code imageSize x imageSize} inputs (a multiple of the patch
     * size). A size other than the config's runs the tower on a larger (or smaller) patch grid, with the
     * position embeddings resampled bicubically as CLIP-ES does (PyTorch's bicubic, align_corners=False).
     */
    public static Graph build(Kind kind, ClipConfig config, Weights weights, int imageSize) {
        int p = config.vision().patchSize();
        if (imageSize <= 0 || imageSize % p != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a positive multiple of the patch size " + p);
        }
        ClipGraphs b = new ClipGraphs(config, weights, new GraphBuilder(kind.fileStem), kind.fileStem, imageSize);
        switch (kind) {
            case VISION:
                b.vision();
                break;
            case TEXT:
                b.textFromIds();
                break;
            case TEXT_FROM_EMBEDS:
                b.textFromEmbeds();
                break;
            case DENSE_MASKCLIP:
                b.dense(false);
                break;
            case DENSE_CLEARCLIP:
                b.dense(true);
                break;
            case DENSE_MASKCLIP_GRID:
                b.denseGrid(false);
                break;
            case DENSE_CLEARCLIP_GRID:
                b.denseGrid(true);
                break;
            default:
                throw new IllegalArgumentException(kind.toString());
        }
        return b.g.build();
    }

    // ---- towers ----------------------------------------------------------------------------------

    private void vision() {
        ClipConfig.Tower v = config.vision();
        String pixels = pixelInput();
        String h = visionTrunk(pixels, v.layers());
        g.output(h, "last_hidden_state", ElemType.FLOAT, "batch", 1 + patches(), v.hiddenSize());
        g.output(visionHead(h), "image_embeds", ElemType.FLOAT, "batch", config.projectionDim());
    }

    /** post_layernorm on token 0, then visual_projection: [B,1+N,W] -> [B,E]. */
    private String visionHead(String h) {
        ClipConfig.Tower v = config.vision();
        g.scope("vision.head");
        String cls = g.squeeze(g.slice(h, new long[] {0}, new long[] {1}, new long[] {1}), 1);
        String pooled = layerNorm(cls, "vision_model.post_layernorm", v);
        return g.matMul(pooled, transposed("visual_projection.weight", config.projectionDim(), v.hiddenSize()));
    }

    private void dense(boolean clearclip) {
        ClipConfig.Tower v = config.vision();
        denseHead(visionTrunk(pixelInput(), v.layers() - 1), clearclip, patches());
    }

    private void denseGrid(boolean clearclip) {
        ClipConfig.Tower v = config.vision();
        String pixels = g.input("pixel_values", ElemType.FLOAT, "batch", 3, "height", "width");
        String positions = g.input("position_embeddings", ElemType.FLOAT, "tokens", v.hiddenSize());
        String x = gridEmbeddings(pixels, positions);
        denseHead(visionLayers(x, 0, v.layers() - 1), clearclip, "patches");
    }

    /** The training-free last layer (MaskCLIP or ClearCLIP) on the state entering it, the patch tokens as dense_embeds. */
    private void denseHead(String h, boolean clearclip, Object patchDim) {
        ClipConfig.Tower v = config.vision();
        int last = v.layers() - 1;
        String prefix = "vision_model.encoder.layers." + last;
        g.scope("vision.dense");
        String y = layerNorm(h, prefix + ".layer_norm1", v);
        String values = linear(y, prefix + ".self_attn.v_proj", v.hiddenSize(), v.hiddenSize());
        String o;
        if (clearclip) {
            String q = splitHeads(linear(y, prefix + ".self_attn.q_proj", v.hiddenSize(), v.hiddenSize()), v);
            String qt = g.transpose(q, 0, 1, 3, 2);
            String scores = g.mul(g.matMul(q, qt), g.constant("scale", (float) Math.pow(v.headDim(), -0.5)));
            String mixed = g.matMul(g.softmax(scores, -1), splitHeads(values, v));
            o = linear(mergeHeads(mixed, v), prefix + ".self_attn.out_proj", v.hiddenSize(), v.hiddenSize());
        } else {
            o = linear(values, prefix + ".self_attn.out_proj", v.hiddenSize(), v.hiddenSize());
        }
        String normed = layerNorm(o, "vision_model.post_layernorm", v);
        String projected = g.matMul(normed, transposed("visual_projection.weight", config.projectionDim(), v.hiddenSize()));
        String patches = g.slice(projected, new long[] {1}, new long[] {Long.MAX_VALUE}, new long[] {1});
        g.output(patches, "dense_embeds", ElemType.FLOAT, "batch", patchDim, config.projectionDim());
    }

    private void textFromIds() {
        ClipConfig.Tower t = config.text();
        String ids = g.input("input_ids", ElemType.INT64, "batch", "sequence");
        String mask = g.input("attention_mask", ElemType.INT64, "batch", "sequence");
        g.scope("text.embeddings");
        String tokens = g.gather(weight("text_model.embeddings.token_embedding.weight", t.vocabSize(), t.hiddenSize()), ids, 0);
        String length = g.slice(g.shape(ids), new long[] {1}, new long[] {2}, new long[] {0});
        // padding keys: (1 - mask) * MASKED, shaped [B,1,1,L] to broadcast over heads and queries
        String padding = g.unsqueeze(g.mul(g.sub(g.constant("one", 1f), g.cast(mask, ElemType.FLOAT)),
                g.constant("masked", MASKED)), 1, 2);
        String attnMask = g.add(causalMask(length), padding);
        String eos = g.cast(ids, ElemType.FLOAT);
        if (t.eosTokenId() != 2) {
            eos = g.cast(g.equal(ids, g.constantLongs("eos", t.eosTokenId())), ElemType.FLOAT);
        }
        // eos_token_id == 2 is Hugging Face's legacy config: the end token is the largest id (49407)
        String eot = g.argMax(eos, -1, false);
        textOutputs(textTower(g.add(tokens, positions(length)), length, attnMask, eot));
    }

    private void textFromEmbeds() {
        ClipConfig.Tower t = config.text();
        String embeds = g.input("inputs_embeds", ElemType.FLOAT, "batch", "sequence", t.hiddenSize());
        String eot = g.input("eot_position", ElemType.INT64, "batch");
        textOutputs(textFromEmbeds(embeds, eot));
    }

    /** The text tower from summed embeddings; returns {last_hidden_state [B,L,W], text_embeds [B,E]}. */
    private String[] textTower(String x, String length, String attnMask, String eot) {
        ClipConfig.Tower t = config.text();
        for (int i = 0; i < t.layers(); i++) {
            x = encoderLayer(x, "text_model.encoder.layers." + i, t, attnMask);
        }
        g.scope("text.head");
        String h = layerNorm(x, "text_model.final_layer_norm", t);
        // pool at the end token with a one-hot matrix product: [B,1,L] x [B,L,W]
        String arange = g.slice(g.constantLongs("arange", range(t.maxPositions())), g.constantLongs("zero", 0),
                length, g.constantLongs("axis0", 0));
        String oneHot = g.cast(g.equal(g.unsqueeze(arange, 0), g.unsqueeze(eot, 1)), ElemType.FLOAT);
        String pooled = g.squeeze(g.matMul(g.unsqueeze(oneHot, 1), h), 1);
        String embeds = g.matMul(pooled, transposed("text_projection.weight", config.projectionDim(), t.hiddenSize()));
        return new String[] {h, embeds};
    }

    private void textOutputs(String[] tower) {
        ClipConfig.Tower t = config.text();
        g.output(tower[0], "last_hidden_state", ElemType.FLOAT, "batch", "sequence", t.hiddenSize());
        g.output(tower[1], "text_embeds", ElemType.FLOAT, "batch", config.projectionDim());
    }

    /** The text tower from token embeddings (position embeddings and causal mask inside) after {@code embeds}. */
    private String[] textFromEmbeds(String embeds, String eot) {
        g.scope("text.embeddings");
        String length = g.slice(g.shape(embeds), new long[] {1}, new long[] {2}, new long[] {0});
        return textTower(g.add(embeds, positions(length)), length, causalMask(length), eot);
    }

    /**
     * Appends the text tower run from token embeddings {@code embeds} [B,L,W] (any value of {@code g}), pooled
     * at {@code eot} [B] int64, to {@code g}; returns text_embeds [B,E]. For prompt learning.
     */
    public static String textEmbedsFromInputsEmbeds(GraphBuilder g, ClipConfig config, Weights weights, String embeds, String eot) {
        return new ClipGraphs(config, weights, g, "text_model", config.vision().imageSize()).textFromEmbeds(embeds, eot)[1];
    }

    /** Position embeddings for the first L positions: [L,W]. */
    private String positions(String length) {
        ClipConfig.Tower t = config.text();
        return g.slice(weight("text_model.embeddings.position_embedding.weight", t.maxPositions(), t.hiddenSize()),
                g.constantLongs("zero", 0), length, g.constantLongs("axis0", 0));
    }

    /** Additive causal mask [L,L]: 0 on and below the diagonal, MASKED above. */
    private String causalMask(String length) {
        int n = config.text().maxPositions();
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                m[i * n + j] = MASKED;
            }
        }
        String full = g.initializer(Initializer.floats(g.fresh("causal_mask"), m, n, n));
        return g.slice(full, g.constantLongs("zeros2", 0, 0), g.concat(0, length, length), g.constantLongs("axes01", 0, 1));
    }

    // ---- vision trunk ----------------------------------------------------------------------------

    private String pixelInput() {
        return g.input("pixel_values", ElemType.FLOAT, "batch", 3, imageSize, imageSize);
    }

    private int grid() {
        return imageSize / config.vision().patchSize();
    }

    private int patches() {
        return grid() * grid();
    }

    /** Position embeddings [1+N, W] for the graph's grid (resampled when it differs from the checkpoint's). */
    private String positionEmbeddings() {
        ClipConfig.Tower v = config.vision();
        String name = "vision_model.embeddings.position_embedding.weight";
        if (grid() == v.grid()) {
            return weight(name, 1 + v.patches(), v.hiddenSize());
        }
        requireWeight(name, 1 + v.patches(), v.hiddenSize());
        int from = v.grid();
        int to = grid();
        int w = v.hiddenSize();
        return g.initializer(Initializer.lazyFloats(name + "@" + to + "x" + to,
                () -> PositionEmbeddings.resample(weights.floats(name), from, to, w), 1 + (long) to * to, w));
    }

    /** Patch + class + position embeddings, pre_layrnorm, then the first {@code layers} encoder layers. */
    private String visionTrunk(String pixels, int layers) {
        ClipConfig.Tower v = config.vision();
        int p = v.patchSize();
        int grid = grid();
        int w = v.hiddenSize();
        g.scope("vision.embeddings");
        // non-overlapping patches as a reshape/transpose + MatMul (the same as the stride-P convolution)
        String patches = g.reshape(g.transpose(g.reshape(pixels, -1, 3, grid, p, grid, p), 0, 2, 4, 1, 3, 5),
                -1, (long) grid * grid, 3L * p * p);
        String kernel = g.transpose(g.reshape(weight("vision_model.embeddings.patch_embedding.weight", w, 3, p, p),
                w, 3L * p * p), 1, 0);
        String tokens = g.matMul(patches, kernel);
        String cls = g.reshape(weight("vision_model.embeddings.class_embedding", w), 1, 1, w);
        String clsShape = g.concat(0, g.slice(g.shape(pixels), new long[] {0}, new long[] {1}, new long[] {0}),
                g.constantLongs("one_w", 1, w));
        String x = g.concat(1, g.expand(cls, clsShape), tokens);
        x = g.add(x, positionEmbeddings());
        x = layerNorm(x, "vision_model.pre_layrnorm", v);
        return visionLayers(x, 0, layers);
    }

    /** Vision encoder layers {@code from} (inclusive) to {@code to} (exclusive). */
    private String visionLayers(String x, int from, int to) {
        for (int i = from; i < to; i++) {
            x = encoderLayer(x, "vision_model.encoder.layers." + i, config.vision(), null);
        }
        return x;
    }

    // ---- transformer pieces ----------------------------------------------------------------------

    /** x += out_proj(attn(layer_norm1(x))); x += fc2(act(fc1(layer_norm2(x)))). */
    private String encoderLayer(String x, String prefix, ClipConfig.Tower t, String attnMask) {
        return encoderLayer(x, prefix, t, attnMask, null);
    }

    /** One encoder layer; with {@code probs} not null, its attention probabilities [B,H,T,T] are added to it. */
    private String encoderLayer(String x, String prefix, ClipConfig.Tower t, String attnMask, List<String> probs) {
        g.scope(prefix);
        int w = t.hiddenSize();
        String h = layerNorm(x, prefix + ".layer_norm1", t);
        String p = attentionProbabilities(h, prefix, t, attnMask);
        if (probs != null) {
            probs.add(p);
        }
        String v = linear(h, prefix + ".self_attn.v_proj", w, w);
        String attended = mergeHeads(g.matMul(p, splitHeads(v, t)), t);
        x = g.add(x, linear(attended, prefix + ".self_attn.out_proj", w, w));
        String m = linear(layerNorm(x, prefix + ".layer_norm2", t), prefix + ".mlp.fc1", t.intermediateSize(), w);
        m = linear(Activation.apply(g, t.hiddenAct(), m), prefix + ".mlp.fc2", w, t.intermediateSize());
        return g.add(x, m);
    }

    /**
     * softmax(q k^T + mask) per head, q = q_proj(h) * head_dim^-0.5, k = k_proj(h), for h = layer_norm1(x):
     * [B,H,T,T] ({@code attnMask} null: no mask).
     */
    private String attentionProbabilities(String h, String prefix, ClipConfig.Tower t, String attnMask) {
        int w = t.hiddenSize();
        String q = g.mul(linear(h, prefix + ".self_attn.q_proj", w, w), g.constant("scale", (float) Math.pow(t.headDim(), -0.5)));
        String k = linear(h, prefix + ".self_attn.k_proj", w, w);
        String scores = g.matMul(splitHeads(q, t), g.transpose(splitHeads(k, t), 0, 1, 3, 2));
        return g.softmax(attnMask == null ? scores : g.add(scores, attnMask), -1);
    }

    /** [B,T,W] -> [B,H,T,D] */
    private String splitHeads(String x, ClipConfig.Tower t) {
        return g.transpose(g.reshape(x, 0, 0, t.heads(), t.headDim()), 0, 2, 1, 3);
    }

    /** [B,H,T,D] -> [B,T,W] */
    private String mergeHeads(String x, ClipConfig.Tower t) {
        return g.reshape(g.transpose(x, 0, 2, 1, 3), 0, 0, t.hiddenSize());
    }

    /** x W^T + b, with W [out,in] as stored by PyTorch. */
    private String linear(String x, String prefix, int out, int in) {
        return g.add(g.matMul(x, transposed(prefix + ".weight", out, in)), weight(prefix + ".bias", out));
    }

    private String layerNorm(String x, String prefix, ClipConfig.Tower t) {
        int w = t.hiddenSize();
        return g.layerNorm(x, weight(prefix + ".weight", w), weight(prefix + ".bias", w), t.layerNormEps());
    }

    private String transposed(String name, long rows, long cols) {
        return g.transpose(weight(name, rows, cols), 1, 0);
    }

    /** The weight as an initializer of the same name, after checking it exists with the expected shape. */
    private String weight(String name, long... expected) {
        if (added.contains(name)) {
            return name;
        }
        long[] shape = requireWeight(name, expected);
        added.add(name);
        return g.initializer(Initializer.lazyFloats(name, () -> weights.floats(name), shape));
    }

    /** The weight's shape, after checking it exists with the expected shape. */
    private long[] requireWeight(String name, long... expected) {
        if (!weights.contains(name)) {
            throw ClipWsssException.file(weights.source(), "no tensor named '" + name + "' (needed by the "
                    + graphName + " graph; is this a Hugging Face CLIPModel checkpoint?)");
        }
        long[] shape = weights.shape(name);
        if (!Arrays.equals(shape, expected)) {
            throw ClipWsssException.file(weights.source(), "tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " but config.json implies " + Arrays.toString(expected));
        }
        return shape;
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
