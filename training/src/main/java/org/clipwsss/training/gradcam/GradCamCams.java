package org.clipwsss.training.gradcam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.FloatMaps;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.ImageGrid;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.cam.WindowLayout;
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
 * CLIP-ES's Grad-CAM CAMs. Per window of the image, the hidden state h [1+N,W] entering the last vision layer is
 * computed once (the tower cut before that layer); then the last layer and the head give the image embedding,
 * {@code softmax(scale * cos(embedding, text_t))} runs over [the image's class prompts + their background
 * prompts], and the gradient g of class k's probability with respect to h is taken (a derived reverse-mode
 * graph: one ONNX Runtime run gives the forward pass and the gradients for every class and window of the
 * image). Per class and window, Grad-CAM over the patch tokens (the class token dropped):
 * {@code w_c = mean_p g[p,c]}, {@code cam[p] = ReLU(sum_c w_c h[p,c])}; the windows' maps are blended to the
 * image and min-max normalised as the dense CLIP CAMs are.
 *
 * <p>An image whose whole-image grid ({@link ImageGrid}) needs at most {@code gridBudget} patches runs as one
 * grid of its own aspect (position embeddings interpolated bicubically, an input of one graph for every grid);
 * larger images (or any with a budget of 0) are covered by square windows.
 *
 * <p>With {@code affinity}, CLIP-ES's class-aware attention-affinity refinement ({@link AttentionAffinity}): the
 * trunk also gives the self-attention probabilities, averaged over heads and over the last {@value #AFFINITY_LAYERS}
 * vision layers (all of them when the tower has fewer; the last layer's included) for the patch tokens, as CLIP-ES
 * averages {@code attn_weight_list[-8:]}; each class's Grad-CAM is then propagated through that attention's
 * transition matrix, restricted to the boxes around the class's Grad-CAM, on the whole grid. With windows, each
 * window's refined map is min-max normalised before the blend, as CLIP-ES normalises its grid's, so that windows
 * of different levels do not turn the blend into a ramp ({@code GradCamGridTest} measures this).
 */
public final class GradCamCams implements CamSource {
    /** The name of the gradient output of the tail graph. */
    static final String GRAD = Gradients.gradName("score", "hidden");
    /** How many of the last vision layers' attention the affinity refinement averages (CLIP-ES: 8). */
    public static final int AFFINITY_LAYERS = 8;

    private final ClipModel model;
    private final TextEmbeddings text;
    private final String template;
    private final BackgroundPrompts background;
    private final float logitScale;
    private final int inputSize;
    private final double overlap;
    private final int maxWindows;
    private final ClipPreprocessor pre;
    private final GraphFiles files;
    private final boolean affinity;
    private final int gridBudget;

    /**
     * @param inputSize the windows' side in pixels (0: the model's), a multiple of the patch size; the graphs it builds
     *     are kept in the model's graph cache
     */
    public GradCamCams(ClipModel model, TextEmbeddings text, String template, BackgroundPrompts background,
            float logitScale, int inputSize, double overlap, int maxWindows) {
        this(model, text, template, background, logitScale, inputSize, overlap, maxWindows, false);
    }

    /** @param affinity whether to apply CLIP-ES's attention-affinity refinement */
    public GradCamCams(ClipModel model, TextEmbeddings text, String template, BackgroundPrompts background,
            float logitScale, int inputSize, double overlap, int maxWindows, boolean affinity) {
        this(model, text, template, background, logitScale, inputSize, overlap, maxWindows, affinity, 0);
    }

    /**
     * @param gridBudget the most patches of a whole-image grid ({@link ImageGrid}); an image needing more, or any
     *     image when 0, is covered by windows
     */
    public GradCamCams(ClipModel model, TextEmbeddings text, String template, BackgroundPrompts background,
            float logitScale, int inputSize, double overlap, int maxWindows, boolean affinity, int gridBudget) {
        if (!model.folder().hasSafetensors()) {
            throw ClipWsssException.file(model.folder().dir(), "Grad-CAM needs the model's weights (model.safetensors)");
        }
        this.model = model;
        this.text = text;
        this.template = template;
        this.background = background;
        this.logitScale = logitScale;
        this.inputSize = inputSize == 0 ? model.config().vision().imageSize() : inputSize;
        this.overlap = overlap;
        this.maxWindows = maxWindows;
        this.pre = model.folder().preprocessor();
        this.files = new GraphFiles(model, GraphFiles.tag("gradcam2", logitScale));
        this.affinity = affinity;
        this.gridBudget = gridBudget;
        int p = model.config().vision().patchSize();
        if (this.inputSize % p != 0) {
            throw new ClipWsssException("input size " + this.inputSize + " is not a multiple of the patch size " + p);
        }
    }

    /** The forward pass and gradients of one batch: the hidden states, the score and d score / d hidden. */
    public record Gradient(NpyArray hidden, float score, NpyArray grad, NpyArray probabilities) { }

    @Override
    public Cams compute(ImageContext image, List<ClassPrompt> classes) {
        Raster8 img = image.image();
        List<String> labels = classes.stream().map(ClassPrompt::label).toList();
        if (classes.isEmpty()) {
            return new Cams(img.width(), img.height(), labels, new float[0][]);
        }
        ImageGrid whole = ImageGrid.plan(img.width(), img.height(), model.config().vision().patchSize(), inputSize);
        if (gridBudget > 0 && whole.patches() <= gridBudget) {
            return computeOnGrid(img, classes, whole);
        }
        WindowLayout layout = WindowLayout.plan(img.width(), img.height(), inputSize, overlap, maxWindows);
        List<Raster8> crops = layout.crops(img);
        int b = crops.size();
        int per = 3 * inputSize * inputSize;
        float[] px = new float[b * per];
        for (int i = 0; i < b; i++) {
            System.arraycopy(pre.preprocessResized(crops.get(i), inputSize, inputSize), 0, px, i * per, per);
        }
        Map<String, NpyArray> trunkOut = trunk().run(Map.of("pixel_values", NpyArray.ofFloats(px, b, 3, inputSize, inputSize)),
                affinity ? List.of("hidden", "attention") : List.of("hidden"));
        NpyArray hidden = trunkOut.get("hidden");
        float[][] texts = texts(classes);
        int k = classes.size();
        // rows: class-major copies of the windows' hidden states, each with its class as the target
        long[] s = hidden.shape();
        int rowSize = (int) (s[1] * s[2]);
        float[] h = hidden.floats();
        float[] rows = new float[k * b * rowSize];
        int[] targets = new int[k * b];
        for (int c = 0; c < k; c++) {
            System.arraycopy(h, 0, rows, c * b * rowSize, b * rowSize);
            for (int w = 0; w < b; w++) {
                targets[c * b + w] = c;
            }
        }
        Gradient g = gradient(NpyArray.ofFloats(rows, k * b, s[1], s[2]), texts, targets);
        float[] grad = g.grad().floats();
        int tokens = (int) s[1];
        int width = (int) s[2];
        int grid = (int) Math.round(Math.sqrt(tokens - 1));
        int n = tokens - 1;
        float[][] trans = new float[b][];
        if (affinity) {
            float[] attention = trunkOut.get("attention").floats();
            for (int w = 0; w < b; w++) {
                trans[w] = AttentionAffinity.transition(java.util.Arrays.copyOfRange(attention, w * n * n, (w + 1) * n * n), n);
            }
        }
        float[][] maps = new float[k][];
        for (int c = 0; c < k; c++) {
            float[][] windows = new float[b][];
            for (int w = 0; w < b; w++) {
                int off = (c * b + w) * rowSize;
                windows[w] = gradCam(java.util.Arrays.copyOfRange(rows, off, off + rowSize),
                        java.util.Arrays.copyOfRange(grad, off, off + rowSize), tokens, width);
                if (affinity) {
                    windows[w] = FloatMaps.normalizeMinMax(AttentionAffinity.refine(trans[w], windows[w], grid, grid));
                }
            }
            maps[c] = FloatMaps.normalizeMinMax(layout.toImage(windows, grid));
        }
        return new Cams(img.width(), img.height(), labels, maps);
    }

    /**
     * The image on one whole-image patch grid: the trunk once (position embeddings interpolated to the grid), the
     * gradient for every class in one run, Grad-CAM per class, the affinity over the whole grid, one resize.
     */
    private Cams computeOnGrid(Raster8 img, List<ClassPrompt> classes, ImageGrid grid) {
        int gh = grid.height();
        int gw = grid.width();
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("pixel_values", NpyArray.ofFloats(pre.preprocessResized(img, grid.pixelWidth(), grid.pixelHeight()), 1, 3,
                grid.pixelHeight(), grid.pixelWidth()));
        feeds.put("position_embeddings", model.positionEmbeddings(gh, gw, false));
        Map<String, NpyArray> trunkOut = gridTrunk().run(feeds, affinity ? List.of("hidden", "transition") : List.of("hidden"));
        float[] h = trunkOut.get("hidden").floats();
        int k = classes.size();
        int n = gh * gw;
        int width = model.config().vision().hiddenSize();
        int rowSize = (1 + n) * width;
        float[] rows = new float[k * rowSize];
        int[] targets = new int[k];
        for (int c = 0; c < k; c++) {
            System.arraycopy(h, 0, rows, c * rowSize, rowSize);
            targets[c] = c;
        }
        Gradient g = gradient(NpyArray.ofFloats(rows, k, 1 + n, width), texts(classes), targets);
        float[] grad = g.grad().floats();
        float[] trans = affinity ? trunkOut.get("transition").floats() : null;
        float[][] maps = new float[k][];
        for (int c = 0; c < k; c++) {
            float[] cam = gradCam(java.util.Arrays.copyOfRange(rows, c * rowSize, (c + 1) * rowSize),
                    java.util.Arrays.copyOfRange(grad, c * rowSize, (c + 1) * rowSize), 1 + n, width);
            if (affinity) {
                cam = AttentionAffinity.refine(trans, cam, gw, gh);
            }
            maps[c] = FloatMaps.normalizeMinMax(grid.toImage(cam));
        }
        return new Cams(img.width(), img.height(), classes.stream().map(ClassPrompt::label).toList(), maps);
    }

    /** The trunk on any whole-image grid: pixels [1,3,H,W] and position embeddings [1+N,W] -> hidden, attention. */
    private GraphRunner gridTrunk() {
        return files.gridTrunk(AFFINITY_LAYERS);
    }

    /** The unit-length embeddings of the class prompts followed by their (distinct) background prompts. */
    float[][] texts(List<ClassPrompt> classes) {
        List<String> prompts = new ArrayList<>();
        for (ClassPrompt c : classes) {
            prompts.add(Templates.apply(template, c.name()));
        }
        List<float[]> texts = new ArrayList<>(List.of(text.get(prompts)));
        Map<float[], Boolean> seen = new IdentityHashMap<>();
        for (ClassPrompt c : classes) {
            for (float[] e : background.embeddings(c.label())) {
                if (seen.put(e, Boolean.TRUE) == null) {
                    texts.add(e);
                }
            }
        }
        return texts.toArray(new float[0][]);
    }

    /**
     * Grad-CAM of one window: {@code hidden} and {@code grad} are [tokens, width] with the class token first;
     * returns ReLU(sum_c w_c h[p,c]) for the tokens - 1 patches, w_c the mean of grad[p,c] over the patches.
     */
    public static float[] gradCam(float[] hidden, float[] grad, int tokens, int width) {
        double[] weights = new double[width];
        for (int p = 1; p < tokens; p++) {
            for (int c = 0; c < width; c++) {
                weights[c] += grad[p * width + c];
            }
        }
        return gradCamFromSums(hidden, weights, tokens, width);
    }

    /** As {@link #gradCam}, given the gradient already summed over the patches: {@code gradSum} [width]. */
    public static float[] gradCamFromSum(float[] hidden, float[] gradSum, int tokens, int width) {
        double[] weights = new double[width];
        for (int c = 0; c < width; c++) {
            weights[c] = gradSum[c];
        }
        return gradCamFromSums(hidden, weights, tokens, width);
    }

    private static float[] gradCamFromSums(float[] hidden, double[] weights, int tokens, int width) {
        for (int c = 0; c < width; c++) {
            weights[c] /= tokens - 1;
        }
        float[] cam = new float[tokens - 1];
        for (int p = 1; p < tokens; p++) {
            double sum = 0;
            for (int c = 0; c < width; c++) {
                sum += weights[c] * hidden[p * width + c];
            }
            cam[p - 1] = (float) Math.max(0, sum);
        }
        return cam;
    }

    /** The hidden states entering the last vision layer: pixels [B,3,S,S] -> [B,1+N,W]. */
    public NpyArray hiddenStates(NpyArray pixels) {
        return trunk().run(Map.of("pixel_values", pixels), List.of("hidden")).get("hidden");
    }

    /**
     * With {@code affinity} only: the patch tokens' self-attention probabilities averaged over heads and the last
     * {@value #AFFINITY_LAYERS} layers (see the class comment), pixels [B,3,S,S] -> [B,N,N].
     */
    public NpyArray attention(NpyArray pixels) {
        if (!affinity) {
            throw new IllegalStateException("the attention is computed with the affinity refinement only");
        }
        return trunk().run(Map.of("pixel_values", pixels), List.of("attention")).get("attention");
    }

    /**
     * One run of the tail graph: for each row r of {@code hidden} [R,1+N,W], the probability of text
     * {@code targets[r]} in the softmax over {@code scale * cos(image embedding, texts)}; the score is their sum
     * and the gradient its derivative with respect to {@code hidden} (row r's part is row r's own probability's).
     */
    public Gradient gradient(NpyArray hidden, float[][] texts, int[] targets) {
        long[] s = hidden.shape();
        int r = (int) s[0];
        int t = texts.length;
        int e = model.config().projectionDim();
        if (targets.length != r) {
            throw new IllegalArgumentException(targets.length + " targets for " + r + " rows");
        }
        float[] txt = new float[t * e];
        for (int i = 0; i < t; i++) {
            System.arraycopy(texts[i], 0, txt, i * e, e);
        }
        float[] oneHot = new float[r * t];
        for (int i = 0; i < r; i++) {
            oneHot[i * t + targets[i]] = 1f;
        }
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        feeds.put("hidden", hidden);
        feeds.put("text", NpyArray.ofFloats(txt, t, e));
        feeds.put("target", NpyArray.ofFloats(oneHot, r, t));
        Map<String, NpyArray> out = tail(r, t).run(feeds, List.of("score", "probabilities", GRAD));
        return new Gradient(hidden, out.get("score").toFloats()[0], out.get(GRAD), out.get("probabilities"));
    }

    private GraphRunner trunk() {
        ClipConfig cfg = model.config();
        ClipConfig.Tower v = cfg.vision();
        int grid = inputSize / v.patchSize();
        String name = (affinity ? "gradcam_trunk_affinity_" : "gradcam_trunk_") + inputSize;
        return files.runner(name, weights -> {
            GraphBuilder g = new GraphBuilder("gradcam_trunk");
            String pixels = g.input("pixel_values", ElemType.FLOAT, "batch", 3, inputSize, inputSize);
            int last = v.layers() - 1;
            if (affinity) {
                String[] ha = ClipGraphs.visionHiddenEnteringWithAttention(g, cfg, weights, pixels, last, inputSize,
                        Math.max(0, v.layers() - AFFINITY_LAYERS));
                g.output(ha[0], "hidden", ElemType.FLOAT, "batch", 1 + grid * grid, v.hiddenSize());
                g.output(ha[1], "attention", ElemType.FLOAT, "batch", grid * grid, grid * grid);
            } else {
                String h = ClipGraphs.visionHiddenEntering(g, cfg, weights, pixels, last, inputSize);
                g.output(h, "hidden", ElemType.FLOAT, "batch", 1 + grid * grid, v.hiddenSize());
            }
            return g.build();
        }, true);
    }

    /**
     * The tail graph (last layer, head, softmax score and its gradient) for R rows and T texts, on any number of tokens
     * (one session serves every grid; {@link Gradients#ofEachAnySize}).
     */
    private GraphRunner tail(int rows, int texts) {
        return files.runner("gradcam_tail_" + rows + "x" + texts, weights -> tailGraph(weights, rows, texts));
    }

    private Graph tailGraph(SafetensorsWeights weights, int rows, int texts) {
        ClipConfig cfg = model.config();
        ClipConfig.Tower v = cfg.vision();
        int e = cfg.projectionDim();
        GraphBuilder g = new GraphBuilder("gradcam_tail");
        String hidden = g.input("hidden", ElemType.FLOAT, rows, "tokens", v.hiddenSize());
        String embeds = Losses.l2Normalize(g, ClipGraphs.visionEmbedsFromLayer(g, cfg, weights, hidden, v.layers() - 1));
        Map<String, long[]> shapes = new HashMap<>(GraphFiles.softmaxScore(g, embeds, logitScale, rows, texts, e));
        shapes.put("hidden", new long[] {rows, GraphFiles.TOKENS, v.hiddenSize()});
        return GraphFiles.anyTokenCount(g.build(), List.of("score"), List.of("hidden"), shapes);
    }

    @Override
    public boolean usesPromptNames() {
        return true;
    }

    @Override
    public String description() {
        return "gradcam (\"" + template + "\", background " + background.description() + ", logit scale " + logitScale
                + ", last-layer input, " + (gridBudget > 0 ? "whole-image grid up to " + gridBudget + " patches, " : "windows, ") + (affinity ? "attention-affinity refinement over the last "
                + Math.min(AFFINITY_LAYERS, model.config().vision().layers()) + " layers" : "no affinity refinement") + ")";
    }
}
