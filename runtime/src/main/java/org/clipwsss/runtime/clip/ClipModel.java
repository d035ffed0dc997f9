package org.clipwsss.runtime.clip;

import ai.onnxruntime.OnnxJavaType;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.model.PositionEmbeddings;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.runtime.text.ClipTokenizer;
import org.clipwsss.runtime.text.Tokens;

/**
 * A CLIP model opened from a folder: image and text encoders (from the exported ONNX files or from graphs
 * built in Java from the safetensors), the training-free dense image embeddings, and the text tower run
 * from input embeddings. Every call takes a whole batch and makes one ONNX Runtime run. Sessions belong to
 * the {@link SessionFactory} given in the options (the shared one by default), which closes them.
 */
public final class ClipModel implements AutoCloseable {
    /** How a model is opened. */
    public record Options(GraphSource source, String onnxVariant, SessionFactory sessions, Path cacheRoot) {
        public static Options defaults() {
            return new Options(GraphSource.AUTO, "auto", null, null);
        }

        public Options withSource(GraphSource s) {
            return new Options(s, onnxVariant, sessions, cacheRoot);
        }

        public Options withSessions(SessionFactory f) {
            return new Options(source, onnxVariant, f, cacheRoot);
        }

        public Options withCacheRoot(Path p) {
            return new Options(source, onnxVariant, sessions, p);
        }

        public Options withVariant(String v) {
            return new Options(source, v, sessions, cacheRoot);
        }
    }

    /** Dense (per-patch) embedding variants. */
    public enum Dense {
        MASKCLIP(ClipGraphs.Kind.DENSE_MASKCLIP, ClipGraphs.Kind.DENSE_MASKCLIP_GRID),
        CLEARCLIP(ClipGraphs.Kind.DENSE_CLEARCLIP, ClipGraphs.Kind.DENSE_CLEARCLIP_GRID);

        final ClipGraphs.Kind kind;
        final ClipGraphs.Kind gridKind;

        Dense(ClipGraphs.Kind kind, ClipGraphs.Kind gridKind) {
            this.kind = kind;
            this.gridKind = gridKind;
        }

        public static Dense parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ClipWsssException("unknown dense mode '" + s + "' (use maskclip or clearclip)");
            }
        }
    }

    /** Outputs of the image tower. */
    public record ImageOutputs(NpyArray imageEmbeds, NpyArray lastHiddenState) { }

    private final ModelFolder folder;
    private final GraphSource source;
    private final SessionFactory sessions;
    private final Path cacheRoot;
    /** The form of the graphs built from the safetensors (variant quantized or fp16 with graphs built from them). */
    private final BuiltVariant builtVariant;
    private final Map<ClipGraphs.Kind, GraphRunner> runners = new EnumMap<>(ClipGraphs.Kind.class);
    private BuiltGraphs built;
    private ClipTokenizer tokenizer;
    private Float logitScale;

    private ClipModel(ModelFolder folder, GraphSource source, SessionFactory sessions, Path cacheRoot, BuiltVariant builtVariant) {
        this.folder = folder;
        this.source = source;
        this.sessions = sessions;
        this.cacheRoot = cacheRoot;
        this.builtVariant = builtVariant;
    }

    public static ClipModel open(Path dir) {
        return open(dir, Options.defaults());
    }

    public static ClipModel open(Path dir, Options options) {
        ModelFolder folder = ModelFolder.open(dir, options.onnxVariant());
        GraphSource source = folder.resolve(options.source());
        SessionFactory f = options.sessions() == null ? SessionFactory.shared() : options.sessions();
        Path cache = options.cacheRoot() == null ? BuiltGraphs.defaultCacheRoot() : options.cacheRoot();
        // variant quantized (fp16): the folder's *_quantized.onnx (*_fp16.onnx) export with source onnx; with graphs
        // built from the safetensors, those graphs dynamically quantized to int8 (in half precision). The dense graphs
        // built beside an ONNX export stay float, as before. Other variants build float graphs.
        BuiltVariant built = source == GraphSource.SAFETENSORS ? BuiltVariant.of(options.onnxVariant()) : BuiltVariant.FLOAT;
        boolean fp16Export = source == GraphSource.ONNX && folder.visionOnnx() != null
                && folder.visionOnnx().getFileName().toString().endsWith("_fp16.onnx");
        if ((built == BuiltVariant.FP16 || fp16Export) && f.device() == org.clipwsss.runtime.session.Device.CPU) {
            // measured (bench --towers, ViT-B/32, 2 threads): 0.15x the fp32 graphs' speed; fp16 is for GPUs
            System.getLogger(ClipModel.class.getName()).log(System.Logger.Level.WARNING, "fp16 graphs on the CPU"
                    + (fp16Export ? " (" + folder.visionOnnx().getFileName() + ")" : " (--variant fp16)") + ": ONNX Runtime's"
                    + " CPU provider runs most fp16 nodes through casts to float; measured about 6x slower than fp32 (fp16 is"
                    + " meant for CUDA)");
        }
        return new ClipModel(folder, source, f, cache, built);
    }

    /**
     * Whether the graphs built from the safetensors are the dynamically int8-quantized ones ({@code --variant quantized}
     * with source safetensors).
     */
    public boolean quantizedGraphs() {
        return builtVariant == BuiltVariant.INT8;
    }

    /** The form of the graphs built from the safetensors (FLOAT with source onnx). */
    public BuiltVariant builtVariant() {
        return builtVariant;
    }

    public ModelFolder folder() {
        return folder;
    }

    public ClipConfig config() {
        return folder.config();
    }

    /** The source the encoders use (never AUTO). */
    public GraphSource source() {
        return source;
    }

    public SessionFactory sessions() {
        return sessions;
    }

    public synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = ClipTokenizer.forModel(folder.dir());
        }
        return tokenizer;
    }

    /** exp(logit_scale) from the checkpoint when it has one, else 100 (trained CLIP's value). */
    private final Map<String, NpyArray> positions = new java.util.HashMap<>();

    public synchronized float logitScale() {
        if (logitScale == null) {
            float s = 100f;
            if (folder.hasSafetensors()) {
                try (SafetensorsFile st = SafetensorsFile.open(folder.safetensors())) {
                    if (st.contains("logit_scale")) {
                        s = (float) Math.exp(st.readFloats("logit_scale")[0]);
                    }
                }
            }
            logitScale = s;
        }
        return logitScale;
    }

    /** Image tower: pixel_values [N,3,S,S] -> image_embeds [N,E] and last_hidden_state [N,1+P,W]. */
    public ImageOutputs encodeImages(NpyArray pixels) {
        checkPixels(pixels);
        Map<String, NpyArray> out = runner(ClipGraphs.Kind.VISION).run(Map.of("pixel_values", pixels),
                List.of("image_embeds", "last_hidden_state"));
        return new ImageOutputs(out.get("image_embeds"), out.get("last_hidden_state"));
    }

    /** image_embeds [N,E] (projected, not normalised). */
    public NpyArray imageEmbeds(NpyArray pixels) {
        checkPixels(pixels);
        return runner(ClipGraphs.Kind.VISION).run(Map.of("pixel_values", pixels), List.of("image_embeds"))
                .get("image_embeds");
    }

    /**
     * Training-free dense embeddings [N,P,E] (built from the safetensors whatever the source). Pixels may be
     * larger (or smaller) than the model's input, any multiple of the patch size: the tower then runs on that
     * patch grid with resampled position embeddings.
     */
    public NpyArray denseEmbeds(NpyArray pixels, Dense mode) {
        long[] s = pixels.shape();
        int p = config().vision().patchSize();
        if (s.length != 4 || s[1] != 3 || s[2] != s[3] || s[2] % p != 0 || s[2] == 0) {
            throw new ClipWsssException("pixel_values for dense embeddings must be [N,3,S,S] with S a multiple of "
                    + p + ", got " + java.util.Arrays.toString(s));
        }
        int size = (int) s[2];
        GraphRunner r;
        if (size == config().vision().imageSize()) {
            r = runner(mode.kind);
        } else {
            r = sizedRunner(mode.kind, size);
        }
        return r.run(Map.of("pixel_values", pixels), List.of("dense_embeds")).get("dense_embeds");
    }

    /**
     * Dense embeddings on a whole-image patch grid of any aspect: pixels [N,3,H,W] with H and W multiples of the
     * patch size; the position embeddings are interpolated to that grid ({@link #positionEmbeddings}, bicubic) and
     * fed to one graph that serves every grid. [N, (H/P)(W/P), E], patches row-major.
     */
    public NpyArray denseEmbedsGrid(NpyArray pixels, Dense mode) {
        long[] s = pixels.shape();
        int p = config().vision().patchSize();
        if (s.length != 4 || s[1] != 3 || s[2] % p != 0 || s[3] % p != 0 || s[2] == 0 || s[3] == 0) {
            throw new ClipWsssException("pixel_values for dense embeddings on an image grid must be [N,3,H,W] with H and W"
                    + " multiples of " + p + ", got " + java.util.Arrays.toString(s));
        }
        NpyArray positions = positionEmbeddings((int) (s[2] / p), (int) (s[3] / p), false);
        return runner(mode.gridKind).run(Map.of("pixel_values", pixels, "position_embeddings", positions), List.of("dense_embeds"))
                .get("dense_embeds");
    }

    /**
     * The vision position embeddings for a {@code gh x gw} patch grid: the class token's row, then the checkpoint's
     * grid interpolated (PyTorch's bicubic, or with {@code bilinear} its bilinear as CLIP-ES does; align_corners
     * False): [1+gh*gw, W]. Cached per grid.
     */
    public NpyArray positionEmbeddings(int gh, int gw, boolean bilinear) {
        String key = gh + "x" + gw + (bilinear ? "b" : "c");
        synchronized (positions) {
            NpyArray cached = positions.get(key);
            if (cached != null) {
                return cached;
            }
        }
        if (!folder.hasSafetensors()) {
            throw ClipWsssException.file(folder.dir(), "an image grid other than the model's needs its weights (model.safetensors)");
        }
        ClipConfig.Tower v = config().vision();
        float[] table;
        try (SafetensorsFile st = SafetensorsFile.open(folder.safetensors())) {
            table = st.readFloats("vision_model.embeddings.position_embedding.weight");
        }
        if (table.length != (1 + v.patches()) * v.hiddenSize()) {
            throw ClipWsssException.file(folder.safetensors(), "the position embeddings do not fit config.json's vision tower");
        }
        float[] out = bilinear ? PositionEmbeddings.bilinear(table, v.grid(), gh, gw, v.hiddenSize())
                : PositionEmbeddings.resample(table, v.grid(), gh, gw, v.hiddenSize());
        NpyArray a = NpyArray.ofFloats(out, 1 + (long) gh * gw, v.hiddenSize());
        synchronized (positions) {
            if (positions.size() > 64) {
                positions.clear();
            }
            positions.put(key, a);
        }
        return a;
    }

    private synchronized GraphRunner sizedRunner(ClipGraphs.Kind kind, int size) {
        GraphRunner r = new GraphRunner(sessions, built().file(kind, size));
        checkSignature(kind, r);
        return r;
    }

    /**
     * Text tower from token ids [N,L] (and attention mask [N,L]) -> text_embeds [N,E]. Every id must be in the
     * vocabulary (0 to vocab_size - 1) and each row must hold the end token; ONNX Runtime would otherwise wrap a negative
     * id to the end of the table or, on some devices, read zeros for one past it. No rows give [0,E].
     *
     * @throws ClipWsssException naming the first bad id (row and position) or the bad shape
     */
    public NpyArray textEmbeds(NpyArray inputIds, NpyArray attentionMask) {
        checkTokenIds(inputIds, attentionMask);
        if (inputIds.shape()[0] == 0) {
            return NpyArray.ofFloats(new float[0], 0, config().projectionDim()); // no texts: nothing to run
        }
        GraphRunner r = runner(ClipGraphs.Kind.TEXT);
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("input_ids", inputIds);
        if (r.hasInput("attention_mask")) {
            feeds.put("attention_mask", attentionMask != null ? attentionMask : maskOf(inputIds));
        }
        return r.run(feeds, List.of("text_embeds")).get("text_embeds");
    }

    private void checkTokenIds(NpyArray inputIds, NpyArray attentionMask) {
        long[] s = inputIds.shape();
        int maxPositions = config().text().maxPositions();
        if (inputIds.dtype() != NpyArray.DType.INT64 && inputIds.dtype() != NpyArray.DType.INT32) {
            throw new ClipWsssException("input_ids must be int64 or int32 token ids, not " + inputIds.dtype());
        }
        if (s.length != 2 || s[1] > maxPositions) {
            throw new ClipWsssException("input_ids must be [N,L] with L <= " + maxPositions
                    + ", got " + java.util.Arrays.toString(s));
        }
        if (s[1] == 0) {
            throw new ClipWsssException("input_ids " + java.util.Arrays.toString(s) + " is empty: its rows have no"
                    + " tokens (each row needs at least the start and end tokens)");
        }
        if (attentionMask != null && !java.util.Arrays.equals(attentionMask.shape(), s)) {
            throw new ClipWsssException("attention_mask " + java.util.Arrays.toString(attentionMask.shape())
                    + " does not have the shape of input_ids " + java.util.Arrays.toString(s));
        }
        int vocab = config().text().vocabSize();
        long[] ids = inputIds.toLongs();
        int l = (int) s[1];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new ClipWsssException("input_ids row " + i / l + ", position " + i % l + ": token id " + ids[i]
                        + " is outside the vocabulary (0 to " + (vocab - 1) + ", text_config.vocab_size " + vocab + ")");
            }
        }
        // the tower pools at the end token: a row without one (all padding, or cut short) gives a meaningless
        // embedding. eos_token_id 2 is Hugging Face's legacy config, where CLIP's end token is meant.
        int eos = config().text().eosTokenId();
        long end = eos != 2 ? eos : vocab == ClipTokenizer.EOT + 1 ? ClipTokenizer.EOT : -1;
        if (end < 0) {
            return;
        }
        for (int row = 0; row < s[0]; row++) {
            boolean found = false;
            for (int j = 0; j < l && !found; j++) {
                found = ids[row * l + j] == end;
            }
            if (!found) {
                throw new ClipWsssException("input_ids row " + row + " has no end token " + end
                        + " (an empty or cut-off row?); every row needs the start and end tokens");
            }
        }
    }

    /** Tokenises and encodes texts in one run: [N,E]. */
    public NpyArray textEmbeds(List<String> texts) {
        List<Tokens> tokens = tokenizer().encode(texts);
        int n = tokens.size();
        int l = promptLength(tokens);
        long[] ids = new long[n * l];
        long[] mask = new long[n * l];
        for (int i = 0; i < n; i++) {
            System.arraycopy(tokens.get(i).inputIds(), 0, ids, i * l, l);
            System.arraycopy(tokens.get(i).attentionMask(), 0, mask, i * l, l);
        }
        return textEmbeds(NpyArray.ofLongs(ids, n, l), NpyArray.ofLongs(mask, n, l));
    }

    /**
     * How many token positions the text tower runs: the longest prompt's (start and end tokens included) when the
     * graph's sequence length is free, else the graph's fixed length (77). Exact: under the causal mask the end
     * token's state, which is pooled, never sees the padding after it.
     */
    private int promptLength(List<Tokens> tokens) {
        long[] declared = runner(ClipGraphs.Kind.TEXT).inputShape("input_ids");
        if (declared != null && declared.length == 2 && declared[1] > 0) {
            return (int) declared[1];
        }
        int longest = 2;
        for (Tokens t : tokens) {
            longest = Math.max(longest, t.length());
        }
        return Math.min(longest, ClipTokenizer.CONTEXT_LENGTH);
    }

    /**
     * Text tower from token embeddings [N,L,W] (position embeddings added inside, causal mask only), pooled
     * at {@code eotPosition} [N]: the form prompt learning uses.
     */
    public NpyArray textEmbedsFromInputsEmbeds(NpyArray inputsEmbeds, NpyArray eotPosition) {
        return runner(ClipGraphs.Kind.TEXT_FROM_EMBEDS).run(Map.of("inputs_embeds", inputsEmbeds,
                "eot_position", eotPosition), List.of("text_embeds")).get("text_embeds");
    }

    /** The ONNX file behind a graph kind (exported or built), creating the built one if needed. */
    public synchronized Path graphFile(ClipGraphs.Kind kind) {
        boolean exported = source == GraphSource.ONNX
                && (kind == ClipGraphs.Kind.VISION || kind == ClipGraphs.Kind.TEXT);
        if (exported) {
            return kind == ClipGraphs.Kind.VISION ? folder.visionOnnx() : folder.textOnnx();
        }
        return built().file(kind);
    }

    /**
     * A graph another builder makes over this model's weights (the Grad-CAM sources' trunks and tails), cached as
     * {@code name.onnx} beside the built kinds, int8-quantized like them with {@code --variant quantized} when
     * {@code quantizable}; built the first time any run asks for it. {@code name} must say everything the builder
     * bakes in besides the weights.
     */
    public synchronized Path builtGraph(String name, java.util.function.Function<SafetensorsWeights, org.clipwsss.runtime.graph.Graph> builder,
            boolean quantizable) {
        if (!folder.hasSafetensors()) {
            throw ClipWsssException.file(folder.dir(), "graph " + name + " is built from the weights, and the folder has no model.safetensors");
        }
        return built().file(name, builder, quantizable);
    }

    private synchronized BuiltGraphs built() {
        if (built == null) {
            built = new BuiltGraphs(folder, cacheRoot, builtVariant);
        }
        return built;
    }

    private synchronized GraphRunner runner(ClipGraphs.Kind kind) {
        GraphRunner r = runners.get(kind);
        if (r == null) {
            r = new GraphRunner(sessions, graphFile(kind));
            checkSignature(kind, r);
            runners.put(kind, r);
        }
        return r;
    }

    private static void checkSignature(ClipGraphs.Kind kind, GraphRunner r) {
        OnnxJavaType[] floats = {OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16};
        OnnxJavaType[] ints = {OnnxJavaType.INT64, OnnxJavaType.INT32};
        switch (kind) {
            case VISION:
                r.require(true, "pixel_values", 4, floats).require(false, "image_embeds", 2, floats)
                        .require(false, "last_hidden_state", 3, floats);
                break;
            case TEXT:
                r.require(true, "input_ids", 2, ints).require(false, "text_embeds", 2, floats);
                if (r.hasInput("attention_mask")) {
                    r.require(true, "attention_mask", 2, ints);
                }
                break;
            case TEXT_FROM_EMBEDS:
                r.require(true, "inputs_embeds", 3, floats).require(true, "eot_position", 1, ints)
                        .require(false, "text_embeds", 2, floats);
                break;
            case DENSE_MASKCLIP_GRID:
            case DENSE_CLEARCLIP_GRID:
                r.require(true, "pixel_values", 4, floats).require(true, "position_embeddings", 2, floats)
                        .require(false, "dense_embeds", 3, floats);
                break;
            default:
                r.require(true, "pixel_values", 4, floats).require(false, "dense_embeds", 3, floats);
        }
    }

    private void checkPixels(NpyArray pixels) {
        int s = config().vision().imageSize();
        long[] shape = pixels.shape();
        if (shape.length != 4 || shape[1] != 3 || shape[2] != s || shape[3] != s) {
            throw new ClipWsssException("pixel_values must be [N,3," + s + "," + s + "] for this model, got "
                    + java.util.Arrays.toString(shape));
        }
    }

    private static NpyArray maskOf(NpyArray ids) {
        long[] v = ids.toLongs();
        long[] m = new long[v.length];
        long[] shape = ids.shape();
        int l = (int) shape[1];
        for (int row = 0; row < shape[0]; row++) {
            int len = l;
            // the reference pads with 0 after the end token; 0 is also a real token, so find the end token
            for (int j = 0; j < l; j++) {
                if (v[row * l + j] == ClipTokenizer.EOT) {
                    len = j + 1;
                    break;
                }
            }
            for (int j = 0; j < len; j++) {
                m[row * l + j] = 1;
            }
        }
        return NpyArray.ofLongs(m, shape);
    }

    @Override
    public synchronized void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        runners.clear();
    }
}
