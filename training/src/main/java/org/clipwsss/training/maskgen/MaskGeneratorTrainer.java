package org.clipwsss.training.maskgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.image.PreprocessConfig;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.training.autodiff.Losses;
import org.clipwsss.training.optim.TrainingLoop;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;

/**
 * SemPLeS mask generator, stages a (segment-text matching) and c (with learned background prompts). For every
 * (image, present class k) pair, with M_k the generator's map upsampled to S x S, X the normalised pixels, t_k the
 * class text embedding and s the clamped cosine of the frozen image tower's embedding with a text embedding
 * ({@link Losses#COS_MIN}, {@link Losses#COS_MAX}):
 * <pre>stage a: mean(-log s(M_k X, t_k)) + lambda_b * mean(-log(1 - s((1 - M_k) X, t_k)))
 * stage c: stage a + lambda * mean(-log(1 - s(M_k X, u_b_k)))</pre>
 * The gradient runs through the image tower into M and the head's four parameters (graph inputs). The frozen
 * ClearCLIP dense features (unit rows) are computed once and baked into the graph.
 *
 * <p>Warm start (only on a fresh run): the head is first fit by MSE ({@code warmSteps} AdamW steps, rate
 * {@link Options#WARM_LR}) to the training-free CAMs at patch resolution: per image and class,
 * cos(F_p, t_k) min-max normalised over the patches, for all K classes.
 */
public final class MaskGeneratorTrainer {
    public interface StepListener {
        void step(int step, double loss);
    }

    public static final float LAMBDA_B = 2.4f;
    public static final float LAMBDA = 0.05f;
    public static final String ONNX = "mask_generator.onnx";
    public static final String META = "mask_generator.json";

    /** n images [n,3,S,S] normalised pixels, targets [n,K] 0/1. */
    public record Data(float[] pixels, float[] targets, int n, int size, int k) {
        public int[][] pairs() {
            List<int[]> p = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    if (targets[i * k + c] > 0.5f) {
                        p.add(new int[] {i, c});
                    }
                }
            }
            return p.toArray(new int[0][]);
        }
    }

    public record Options(Optimizer optimizer, Schedule schedule, int steps, String stage, long seed, int hidden,
            int warmSteps, int checkpointEvery, BooleanSupplier cancelled) {
        public static final float WARM_LR = 0.01f;

        public Options {
            if (!stage.equals("a") && !stage.equals("c")) {
                throw new ClipWsssException("stage must be a or c, not '" + stage + "'");
            }
        }

        public static Options sgd(float lr, int steps, String stage) {
            return new Options(Optimizer.sgd(0, 0), new Schedule("constant", lr, steps, 0.9f), steps, stage, 0,
                    MaskGenerator.HIDDEN, 20, 0, () -> false);
        }
    }

    public record Result(MaskGenerator head, double[] losses) { }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClipModel model;
    private final Path workDir;

    public MaskGeneratorTrainer(ClipModel model, Path workDir) {
        this.model = model;
        this.workDir = workDir;
    }

    /** "a photo of {class}." embeddings [K,E]. */
    public float[] classTexts(List<String> classes) {
        return model.textEmbeds(classes.stream().map(c -> "a photo of " + c + ".").toList()).toFloats();
    }

    /** ClearCLIP dense features of the images [n,P,E], rows L2-normalised. */
    public float[] features(Data data) {
        float[] f = model.denseEmbeds(NpyArray.ofFloats(data.pixels(), data.n(), 3, data.size(), data.size()),
                ClipModel.Dense.CLEARCLIP).toFloats();
        int e = model.config().projectionDim();
        for (int r = 0; r < f.length / e; r++) {
            double s = 0;
            for (int j = 0; j < e; j++) {
                s += f[r * e + j] * f[r * e + j];
            }
            float inv = (float) (1 / Math.sqrt(Math.max(s, 1e-24)));
            for (int j = 0; j < e; j++) {
                f[r * e + j] *= inv;
            }
        }
        return f;
    }

    /**
     * Trains on {@code data} with class text embeddings {@code text} [K,E] and, for stage c, the learned background
     * prompt embeddings {@code prompts} [K,E] (null for stage a). Resumes from a checkpoint in the work folder made
     * with the same settings.
     */
    public Result train(Data data, float[] text, float[] prompts, Options o, StepListener listener) {
        ClipConfig cfg = model.config();
        int e = cfg.projectionDim();
        int k = data.k();
        int h = o.hidden();
        int[][] pairs = data.pairs();
        if (pairs.length == 0) {
            throw new ClipWsssException("empty data set: no image has any of the " + k + " classes");
        }
        if (data.size() != cfg.vision().imageSize()) {
            throw new ClipWsssException("pixels must be " + cfg.vision().imageSize() + " x " + cfg.vision().imageSize()
                    + " (the model's input), are " + data.size());
        }
        if (text.length != k * e) {
            throw new ClipWsssException("text embeddings must be [" + k + "," + e + "], have " + text.length + " values");
        }
        if (o.stage().equals("c") && (prompts == null || prompts.length != k * e)) {
            throw new ClipWsssException("stage c needs the background prompt embeddings [" + k + "," + e + "] (prompt_embeds.npy)");
        }
        float[] feats = features(data);
        TrainingLoop.Spec spec = new TrainingLoop.Spec(workDir, "SemPLeS mask generator stage " + o.stage(),
                MaskGenerator.shapes(e, h, k), settings(data, text, prompts, o), o.optimizer(), o.schedule(), o.steps(),
                o.checkpointEvery(), o.cancelled());
        try (SafetensorsFile st = SafetensorsFile.open(model.folder().safetensors())) {
            Graph forward = graph(cfg, new SafetensorsWeights(st), feats, data, pairs, text, prompts, h, o.stage());
            TrainingLoop.Outcome r = TrainingLoop.run(spec, forward, () -> warmStart(feats, text, data.n(), k, o),
                    model.sessions(), listener::step);
            return new Result(MaskGenerator.fromFlat(e, h, k, r.parameters()), r.losses());
        }
    }

    /** The warm-start targets [n,P,K]: cos(F_p, t_k) min-max normalised over the patches of each image and class. */
    public static float[] warmTargets(float[] feats, float[] text, int n, int k, int e) {
        int np = feats.length / e;
        int patches = np / n;
        float[] t = new float[np * k];
        for (int c = 0; c < k; c++) {
            double norm = 0;
            for (int j = 0; j < e; j++) {
                norm += text[c * e + j] * text[c * e + j];
            }
            norm = Math.sqrt(Math.max(norm, 1e-24));
            for (int i = 0; i < n; i++) {
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (int q = 0; q < patches; q++) {
                    int r = i * patches + q;
                    double s = 0;
                    for (int j = 0; j < e; j++) {
                        s += feats[r * e + j] * text[c * e + j];
                    }
                    float v = (float) (s / norm);
                    t[r * k + c] = v;
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                for (int q = 0; q < patches; q++) {
                    int r = i * patches + q;
                    t[r * k + c] = hi > lo ? (t[r * k + c] - lo) / (hi - lo) : 0;
                }
            }
        }
        return t;
    }

    /** Fits a seeded head by MSE to {@link #warmTargets}; returns its flat parameters. */
    private float[] warmStart(float[] feats, float[] text, int n, int k, Options o) {
        int e = model.config().projectionDim();
        int h = o.hidden();
        float[] p = MaskGenerator.init(e, h, k, o.seed()).flat();
        if (o.warmSteps() <= 0) {
            return p;
        }
        int patches = feats.length / e / n;
        GraphBuilder g = new GraphBuilder("mask_generator_warm_start");
        Map<String, String> in = new LinkedHashMap<>();
        MaskGenerator.shapes(e, h, k).forEach((name, s) -> in.put(name, g.input(name, ElemType.FLOAT, box(s))));
        String f = g.initializer(Initializer.floats("features", feats, n, patches, e));
        String target = g.initializer(Initializer.floats("warm_targets", warmTargets(feats, text, n, k, e), n, patches, k));
        String d = g.sub(MaskGenerator.patchMaps(g, f, in), target);
        g.output(g.op("ReduceMean", List.of(g.mul(d, d)), Map.of("keepdims", 0L)), "loss", ElemType.FLOAT);
        // the same loop as training, in its own folder (its checkpoint makes an interrupted warm start resumable)
        Path dir = workDir.resolve("warm-start");
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException ex) {
            throw ClipWsssException.file(dir, "cannot create (" + ex.getMessage() + ")", ex);
        }
        com.fasterxml.jackson.databind.node.ObjectNode settings = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("trainer", "mask-generator-warm-start").put("steps", o.warmSteps()).put("seed", o.seed()).put("hidden", h);
        TrainingLoop.Spec spec = new TrainingLoop.Spec(dir, "mask generator warm start (MSE to CAMs)", MaskGenerator.shapes(e, h, k),
                settings, Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f), new Schedule("constant", Options.WARM_LR, o.warmSteps(), 0.9f),
                o.warmSteps(), 0, () -> false);
        float[] init = p;
        p = TrainingLoop.run(spec, g.build(), () -> init, model.sessions(), (step, loss) -> { }).parameters();
        return p;
    }

    /**
     * The forward graph: inputs the head's four parameters; output {@code loss} (and {@code loss_fg},
     * {@code loss_bg}, {@code loss_prompt} for stage c, each an unweighted mean).
     */
    public static Graph graph(ClipConfig cfg, SafetensorsWeights weights, float[] feats, Data data, int[][] pairs,
            float[] text, float[] prompts, int hidden, String stage) {
        int e = cfg.projectionDim();
        int k = data.k();
        int n = data.n();
        int s = data.size();
        int grid = s / cfg.vision().patchSize();
        int np = pairs.length;
        long[] pairMap = new long[np];
        long[] pairImage = new long[np];
        long[] pairClass = new long[np];
        for (int i = 0; i < np; i++) {
            pairMap[i] = (long) pairs[i][0] * k + pairs[i][1];
            pairImage[i] = pairs[i][0];
            pairClass[i] = pairs[i][1];
        }
        GraphBuilder g = new GraphBuilder("semples_mask_generator");
        Map<String, String> in = new LinkedHashMap<>();
        MaskGenerator.shapes(e, hidden, k).forEach((name, sh) -> in.put(name, g.input(name, ElemType.FLOAT, box(sh))));
        String f = g.initializer(Initializer.floats("features", feats, n, (long) grid * grid, e));
        String maps = MaskGenerator.upsample(g, MaskGenerator.patchMaps(g, f, in), grid, s);   // [n,K,S*S]
        String m = g.gather(g.reshape(maps, (long) n * k, (long) s * s), g.constantLongs("pair_map", pairMap), 0);
        m = g.reshape(m, np, 1, s, s);
        String x = g.gather(g.initializer(Initializer.floats("pixels", data.pixels(), n, 3, s, s)),
                g.constantLongs("pair_image", pairImage), 0);
        String fgPixels = g.mul(m, x);
        String bgPixels = g.mul(g.sub(g.constant("one", 1f), m), x);
        String emb = ClipGraphs.visionEmbeds(g, cfg, weights, g.concat(0, fgPixels, bgPixels));
        String vf = g.slice(emb, new long[] {0}, new long[] {np}, new long[] {0});
        String vb = g.slice(emb, new long[] {np}, new long[] {2L * np}, new long[] {0});
        String classOfPair = g.constantLongs("pair_class", pairClass);
        String t = g.gather(g.initializer(Initializer.floats("class_text_embeds", text, k, e)), classOfPair, 0);
        String lossFg = Losses.cosine(g, vf, t);
        String lossBg = meanNegLogOneMinus(g, vb, t);
        String loss = g.add(lossFg, g.mul(g.constant("lambda_b", LAMBDA_B), lossBg));
        g.output(lossFg, "loss_fg", ElemType.FLOAT);
        g.output(lossBg, "loss_bg", ElemType.FLOAT);
        if (stage.equals("c")) {
            String u = g.gather(g.initializer(Initializer.floats("prompt_embeds", prompts, k, e)), classOfPair, 0);
            String lossPrompt = meanNegLogOneMinus(g, vf, u);
            loss = g.add(loss, g.mul(g.constant("lambda", LAMBDA), lossPrompt));
            g.output(lossPrompt, "loss_prompt", ElemType.FLOAT);
        }
        g.output(loss, "loss", ElemType.FLOAT);
        return g.build();
    }

    /** mean -log(1 - clamp(cos(a, b))) over rows. */
    private static String meanNegLogOneMinus(GraphBuilder g, String a, String b) {
        String cos = g.op("ReduceSum", List.of(g.mul(Losses.l2Normalize(g, a), Losses.l2Normalize(g, b)), g.constantLongs("axes", -1)),
                Map.of("keepdims", 0L));
        String clamped = g.op("Clip", List.of(cos, g.constant("cos_min", Losses.COS_MIN), g.constant("cos_max", Losses.COS_MAX)), Map.of());
        String term = g.op("Neg", List.of(g.op("Log", List.of(g.sub(g.constant("one", 1f), clamped)), Map.of())), Map.of());
        return g.op("ReduceMean", List.of(term), Map.of("keepdims", 0L));
    }

    /**
     * Writes {@link #ONNX} (normalised image [1,3,S,S] -> ClearCLIP dense features (unit rows) -> head -> maps
     * [1,K,S,S] in [0,1]) and {@link #META} (the {@link org.clipwsss.runtime.cam.OnnxCams} description) to {@code dir}.
     */
    public static void export(ClipModel model, MaskGenerator head, List<String> classes, Path dir) {
        ClipConfig cfg = model.config();
        int s = cfg.vision().imageSize();
        int grid = s / cfg.vision().patchSize();
        int k = head.classes();
        if (classes.size() != k) {
            throw new ClipWsssException(classes.size() + " classes for a head of " + k);
        }
        Path file = dir.resolve(ONNX);
        try (SafetensorsFile st = SafetensorsFile.open(model.folder().safetensors())) {
            Graph dense = ClipGraphs.build(ClipGraphs.Kind.DENSE_CLEARCLIP, cfg, new SafetensorsWeights(st));
            String features = dense.outputs().get(0).name();
            GraphBuilder g = GraphBuilder.extend(new Graph("mask_generator", dense.inputs(), List.of(), dense.nodes(), dense.initializers()));
            String f = Losses.l2Normalize(g, features);
            String maps = MaskGenerator.upsample(g, MaskGenerator.patchMaps(g, f, head.asInitializers(g)), grid, s);
            g.output(g.reshape(maps, 1, k, s, s), "maps", ElemType.FLOAT, 1, k, s, s);
            OnnxWriter.write(g.build(), file, Map.of("clipwsss.graph", "SemPLeS mask generator"));
        } catch (IOException ex) {
            throw ClipWsssException.file(file, "cannot write the mask generator (" + ex.getMessage() + ")", ex);
        }
        PreprocessConfig pre = model.folder().preprocessor().config();
        ObjectNode meta = JSON.createObjectNode();
        meta.set("classes", JSON.valueToTree(classes));
        ArrayNode size = meta.putArray("input_size");
        size.add(s);
        size.add(s);
        meta.set("mean", JSON.valueToTree(pre.imageMean()));
        meta.set("std", JSON.valueToTree(pre.imageStd()));
        meta.put("rescale", 1 / 255.0);
        meta.put("activation", "none");
        try {
            AtomicFiles.writeString(dir.resolve(META), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw ClipWsssException.file(dir.resolve(META), "cannot write (" + ex.getMessage() + ")", ex);
        }
    }

    private ObjectNode settings(Data data, float[] text, float[] prompts, Options o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("trainer", "semples-mask-generator");
        n.put("stage", o.stage());
        n.put("optimizer", o.optimizer().describe());
        n.put("schedule", o.schedule().toString());
        n.put("steps", o.steps());
        n.put("seed", o.seed());
        n.put("hidden", o.hidden());
        n.put("warm_steps", o.warmSteps());
        n.put("images", data.n());
        n.put("data_hash", Arrays.hashCode(data.pixels()) * 31 + Arrays.hashCode(data.targets()));
        n.put("text_hash", Arrays.hashCode(text) * 31 + (prompts == null ? 0 : Arrays.hashCode(prompts)));
        n.put("model", model.folder().dir().toAbsolutePath().normalize().toString());
        try {
            return (ObjectNode) JSON.readTree(n.toString());
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static Object[] box(long[] s) {
        Object[] o = new Object[s.length];
        for (int i = 0; i < s.length; i++) {
            o[i] = s[i];
        }
        return o;
    }
}
