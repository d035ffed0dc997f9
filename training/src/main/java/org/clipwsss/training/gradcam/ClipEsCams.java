package org.clipwsss.training.gradcam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.FloatMaps;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.prompts.Templates;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.training.autodiff.Gradients;
import org.clipwsss.training.autodiff.Losses;

/**
 * CLIP-ES's CAMs exactly as its {@code generate_cams_voc12.py} computes them (linyq2117/CLIP-ES at 3893f817;
 * {@code ../shared/conformance/clip-es/README.md} walks through it with line references):
 * <ol>
 * <li>the whole image resized (PIL bicubic, 8-bit) to ceil(H/P)·P x ceil(W/P)·P, no crop, no padding, no windows;
 * the position embeddings' patch rows interpolated bilinearly (align_corners=False) to that gh x gw grid;</li>
 * <li>the labels' prompts: CLIP-ES's names for PASCAL VOC classes ({@link #clipEsName}) in the template;</li>
 * <li>the trunk (every layer but the last) once per image; per label, the last layer and the image embedding =
 * the mean over the patch tokens of post_layernorm, projected; softmax of exp(logit_scale)·cos over [the image's
 * label prompts in label order, then the background prompts]; the gradient of the label's probability with
 * respect to the last layer's layer_norm1 output (CLIP-ES's hooked tensor), all labels in one run, summed over the
 * patch tokens in the graph (all step 4 takes from it; {@link PatchSumGradient});</li>
 * <li>Grad-CAM on the patch tokens: w_c = mean of the gradient over the grid, ReLU(sum_c w_c a_c), min-max with
 * pytorch-grad-cam's 1e-7 twice (the grid Grad-CAM);</li>
 * <li>with the affinity: the attention averaged over heads and the last 8 layers (the last included), patch
 * tokens only; Sinkhorn x3, symmetrised, squared ({@link AttentionAffinity#transition}); the columns outside the
 * boxes of the grid Grad-CAM ({@link AttentionAffinity#boxMask}) zeroed; T·cam, min-max with the 1e-7;</li>
 * <li>resized to the image with OpenCV's bilinear (half-pixel centres), not renormalised.</li>
 * </ol>
 * Not copied: CLIP-ES runs all L blocks in its trunk when 1 + gh·gw = 77 (a check meant for the text tower); here
 * the trunk always has L-1 blocks. CLIP-ES's fp16 rounding of the weights and the interpolated position
 * embedding (it computes in fp16 on a GPU) is not copied either: everything is float32.
 */
public final class ClipEsCams implements CamSource {
    /** The template CLIP-ES uses for class and background prompts. */
    public static final String TEMPLATE = "a clean origami {}.";
    /** How many of the last vision layers' attention the affinity averages. */
    public static final int AFFINITY_LAYERS = 8;

    private final ClipModel model;
    private final TextEmbeddings text;
    private final String template;
    private final List<String> backgroundWords;
    private final float logitScale;
    private final boolean affinity;
    private final ClipPreprocessor pre;
    private final GraphFiles files;
    private static final Map<String, String> VOC_NAMES = vocNames();

    /**
     * @param backgroundWords the background words, put in {@code template} like the class names
     * @param logitScale the softmax's scale: CLIP-ES takes exp(logit_scale) of the weights ({@link ClipModel#logitScale})
     */
    public ClipEsCams(ClipModel model, TextEmbeddings text, String template, List<String> backgroundWords, float logitScale,
            boolean affinity) {
        if (!model.folder().hasSafetensors()) {
            throw ClipWsssException.file(model.folder().dir(), "CLIP-ES's CAMs need the model's weights (model.safetensors)");
        }
        this.model = model;
        this.text = text;
        this.template = template;
        this.backgroundWords = List.copyOf(backgroundWords);
        this.logitScale = logitScale;
        this.affinity = affinity;
        this.pre = model.folder().preprocessor();
        this.files = new GraphFiles(model, GraphFiles.tag("clipes5", logitScale));
    }

    /** What one image gives before the resize to the image: per label, the grid Grad-CAM and (with the affinity) the refined grid. */
    public record Grids(int gridWidth, int gridHeight, float[][] gradcam, float[][] refined, float[] probabilities) { }

    @Override
    public Cams compute(ImageContext image, List<ClassPrompt> classes) {
        Raster8 img = image.image();
        List<String> labels = classes.stream().map(ClassPrompt::label).toList();
        if (classes.isEmpty()) {
            return new Cams(img.width(), img.height(), labels, new float[0][]);
        }
        Grids g = grids(img, classes);
        float[][] maps = new float[classes.size()][];
        for (int k = 0; k < maps.length; k++) {
            float[] grid = affinity ? AttentionAffinity.scaleCamImage(g.refined()[k]) : g.gradcam()[k];
            maps[k] = FloatMaps.resizeBilinear(grid, g.gridWidth(), g.gridHeight(), img.width(), img.height());
        }
        return new Cams(img.width(), img.height(), labels, maps);
    }

    /**
     * Every class's prompt and the background prompts encoded in one run of the text tower (not one image's at a time),
     * and the tail graph of each label count opened (built the first time), as the first image of that count would.
     */
    @Override
    public void prepare(List<ClassPrompt> classes, java.util.SortedSet<Integer> labelCounts) {
        texts(classes);
        for (int k : labelCounts) {
            tail(k, k + backgroundWords.size());
        }
    }

    /** Steps 1 to 4 of the class comment for one image. */
    public Grids grids(Raster8 img, List<ClassPrompt> classes) {
        ClipConfig.Tower v = model.config().vision();
        int p = v.patchSize();
        int gh = (img.height() + p - 1) / p;
        int gw = (img.width() + p - 1) / p;
        int n = gh * gw;
        int w = v.hiddenSize();
        float[] px = pre.preprocessResized(img, gw * p, gh * p);
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("pixel_values", NpyArray.wrapFloats(px, 1, 3, gh * p, gw * p));
        feeds.put("position_embeddings", model.positionEmbeddings(gh, gw, true));
        boolean earlier = earlierAttention();
        List<String> passed = earlier ? List.of("hidden", "ln1", "earlier_attention") : List.of("hidden", "ln1");
        int k = classes.size();
        float[][] texts = texts(classes);
        int e = model.config().projectionDim();
        float[] txt = new float[texts.length * e];
        for (int i = 0; i < texts.length; i++) {
            System.arraycopy(texts[i], 0, txt, i * e, e);
        }
        List<String> wanted = new ArrayList<>(List.of("probabilities"));
        if (affinity) {
            wanted.add("transition");
        }
        for (int c = 0; c < k; c++) {
            wanted.add(patchSumName(c));
        }
        float[] ln1;
        Map<String, NpyArray> out;
        // the trunk's outputs go to the tail as ONNX Runtime's tensors, not copied through Java
        try (GraphRunner.Kept t = trunk().runKept(feeds, passed)) {
            ln1 = t.floats("ln1");
            out = tail(k, texts.length).run(Map.of("text", NpyArray.wrapFloats(txt, texts.length, e)), t, passed, wanted);
        }
        float[][] gradcam = new float[k][];
        float[][] refined = affinity ? new float[k][] : null;
        float[] trans = affinity ? out.get("transition").floats() : null;
        for (int c = 0; c < k; c++) {
            float[] cam = GradCamCams.gradCamFromSum(ln1, out.get(patchSumName(c)).floats(), 1 + n, w);
            gradcam[c] = AttentionAffinity.scaleCamImage(AttentionAffinity.scaleCamImage(cam));
            if (affinity) {
                refined[c] = AttentionAffinity.propagate(trans, gradcam[c], gw, gh);
            }
        }
        float[] probabilities = java.util.Arrays.copyOf(out.get("probabilities").floats(), texts.length);
        return new Grids(gw, gh, gradcam, refined, probabilities);
    }

    /**
     * CLIP-ES's name for a class: its rewritten name of a PASCAL VOC class ({@code new_class_names}, e.g. person ->
     * "person with clothes,people,human") when the prompt still carries the label itself; a name chosen otherwise
     * (a POLE synonym, a dataset-wide choice) is kept.
     */
    public static String clipEsName(ClassPrompt c) {
        if (!c.name().equals(c.label())) {
            return c.name();
        }
        return VOC_NAMES.getOrDefault(c.label().toLowerCase(java.util.Locale.ROOT), c.name());
    }

    private static Map<String, String> vocNames() {
        String resource = "/org/clipwsss/runtime/prompts/clip-es-class-names.json";
        try (java.io.InputStream in = ClipEsCams.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            Map<String, String> out = new HashMap<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).path("voc").fields()
                    .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return java.util.Collections.unmodifiableMap(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** The unit-length embeddings of the label prompts (in label order) followed by the background prompts. */
    float[][] texts(List<ClassPrompt> classes) {
        List<String> prompts = new ArrayList<>();
        for (ClassPrompt c : classes) {
            prompts.add(Templates.apply(template, clipEsName(c)));
        }
        for (String word : backgroundWords) {
            prompts.add(Templates.apply(template, word));
        }
        return text.get(prompts);
    }

    /**
     * The trunk up to the last layer (its attention is computed once, in the tail): with the affinity, the earlier
     * layers' share of the attention average ({@code earlier_attention}) comes out of it too.
     */
    private GraphRunner trunk() {
        return files.gridTrunkBeforeLastAttention(AFFINITY_LAYERS);
    }

    /** Whether the trunk's earlier_attention goes to the tail: with the affinity, when it averages more than the last layer. */
    private boolean earlierAttention() {
        return affinity && files.firstAttention(AFFINITY_LAYERS) < model.config().vision().layers() - 1;
    }

    /**
     * The tail graph for this many labels and texts, on any number of tokens (one session serves every image size): the
     * last layer, the pooled embedding and the softmax over the texts run once on the image's trunk outputs, then, per
     * label c (the c-th text), the gradient of its probability with respect to ln1 summed over the patch tokens
     * ({@link #patchSumName}): one backward each ({@link Gradients#backwardInto}) down to the attention's merged heads,
     * then {@link PatchSumGradient} through the attention (Grad-CAM needs no more of the gradient than that sum).
     */
    private GraphRunner tail(int labels, int texts) {
        return files.runner("clipes_tail_" + labels + "x" + texts + (affinity ? "_affinity" : ""),
                weights -> tailGraph(weights, labels, texts));
    }

    /** The output of the tail graph: d probability(label) / d ln1 summed over the patch tokens, [1,W]. */
    static String patchSumName(int label) {
        return "patch_gradient_sum_" + label;
    }

    private Graph tailGraph(SafetensorsWeights weights, int labels, int texts) {
        ClipConfig cfg = model.config();
        int w = cfg.vision().hiddenSize();
        int e = cfg.projectionDim();
        GraphBuilder g = new GraphBuilder("clipes_tail");
        String hidden = g.input("hidden", ElemType.FLOAT, 1, "tokens", w);
        String ln1 = g.input("ln1", ElemType.FLOAT, 1, "tokens", w);
        ClipGraphs.Attention attention = ClipGraphs.visionLastAttention(g, cfg, weights, ln1);
        String embeds = Losses.l2Normalize(g, ClipGraphs.visionGridEmbedsFromAttended(g, cfg, weights, hidden, attention.attended()));
        String probs = GraphFiles.softmaxProbabilities(g, embeds, logitScale, 1, texts, e);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long t = GraphFiles.TOKENS;
        shapes.put("hidden", new long[] {1, t, w});
        shapes.put("ln1", new long[] {1, t, w});
        shapes.put("text", new long[] {texts, e});
        if (affinity) {
            String earlier = null;
            if (earlierAttention()) {
                earlier = g.input("earlier_attention", ElemType.FLOAT, 1, "tokens", "tokens");
                shapes.put("earlier_attention", new long[] {1, t, t});
            }
            String average = ClipGraphs.withLastLayerAttention(g, cfg, earlier, attention.probabilities(),
                    files.firstAttention(AFFINITY_LAYERS));
            g.output(GraphFiles.transition(g, average), "transition", ElemType.FLOAT, 1, "patches", "patches");
        }
        for (int c = 0; c < labels; c++) {
            g.output(g.slice(probs, new long[] {0, c}, new long[] {1, c + 1}, new long[] {0, 1}), "score_" + c, ElemType.FLOAT, 1, 1);
        }
        Graph forward = g.build();
        return GraphFiles.anyTokenCount(forward, probe -> {
            GraphBuilder b = GraphBuilder.extend(forward);
            for (int c = 0; c < labels; c++) {
                b.scope("grad.score_" + c);
                String dAttended = Gradients.backwardInto(b, forward, probe, "score_" + c, List.of(attention.attended()))
                        .get(attention.attended());
                b.scope("patch_sum.score_" + c);
                b.output(PatchSumGradient.of(b, attention, dAttended, cfg.vision().heads(), w), patchSumName(c), ElemType.FLOAT, 1, w);
            }
            return b.build();
        }, shapes);
    }

    @Override
    public boolean usesPromptNames() {
        return true;
    }

    @Override
    public String description() {
        return "clip-es (\"" + template + "\", " + backgroundWords.size() + " background words, logit scale " + logitScale
                + ", whole-image grid, Grad-CAM on the last layer's ln_1, " + (affinity
                ? "class-aware attention affinity over the last " + Math.min(AFFINITY_LAYERS, model.config().vision().layers()) + " layers"
                : "no affinity") + ")";
    }
}
