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
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.training.adapters.AdapterTrainer;
import org.clipwsss.training.optim.Minibatches;
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
 * The gradient runs through the image tower into M and the head's four parameters (graph inputs). Each step's
 * batch of pairs, with the frozen ClearCLIP dense features of its images (from a {@link FeatureCache}), is fed as
 * graph inputs.
 *
 * <p>Warm start (only on a fresh run): the head is first fit by MSE ({@code warmSteps} AdamW steps, rate
 * {@link Options#WARM_LR}) to the training-free CAMs at patch resolution: per image and class,
 * cos(F_p, t_k) min-max normalised over the patches, for all K classes.
 */
public final class MaskGeneratorTrainer {
    public static final float LAMBDA_B = 2.4f;
    public static final float LAMBDA = 0.05f;
    public static final String ONNX = "mask_generator.onnx";
    public static final String META = "mask_generator.json";

    /**
     * The images of a data set: image {@code i} as the model's normalised input [3*S*S], made when asked for, so
     * a large set can be held as 8-bit pixels ({@link FolderData}) rather than floats.
     */
    public interface Images {
        float[] pixels(int i);

        /** Identifies the images for resuming (a checkpoint of other data is refused). */
        long hash();

        /** Normalised images already in memory, [n,3,S,S] flattened. */
        static Images of(float[] all, int n) {
            int per = all.length / Math.max(n, 1);
            long hash = Arrays.hashCode(all);
            return new Images() {
                @Override
                public float[] pixels(int i) {
                    return Arrays.copyOfRange(all, i * per, (i + 1) * per);
                }

                @Override
                public long hash() {
                    return hash;
                }
            };
        }
    }

    /** n images of S x S, targets [n,K] 0/1. */
    public record Data(Images images, float[] targets, int n, int size, int k) {
        /** Normalised pixels [n,3,S,S] in memory. */
        public Data(float[] pixels, float[] targets, int n, int size, int k) {
            this(Images.of(pixels, n), targets, n, size, k);
        }

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

        /** Images {@code which} (repeats allowed) as one batch [B,3,S,S] flattened. */
        public float[] pixels(int[] which) {
            int per = 3 * size * size;
            float[] out = new float[which.length * per];
            for (int i = 0; i < which.length; i++) {
                System.arraycopy(images.pixels(which[i]), 0, out, i * per, per);
            }
            return out;
        }
    }

    /**
     * @param batchSize (image, class) pairs per step (0: all, full batch); batches follow {@link Minibatches} with
     *                  the seed
     * @param adapters  train POLE's image and text adapters jointly with the head (the losses then compare adapted
     *                  embeddings)
     */
    public record Options(Optimizer optimizer, Schedule schedule, int steps, String stage, long seed, int hidden,
            int warmSteps, int checkpointEvery, BooleanSupplier cancelled, int batchSize, boolean adapters) {
        public static final float WARM_LR = 0.01f;

        public Options {
            if (!stage.equals("a") && !stage.equals("c")) {
                throw new ClipWsssException("stage must be a or c, not '" + stage + "'");
            }
            if (batchSize < 0) {
                throw new ClipWsssException("batch size must be >= 0 (0: all pairs), is " + batchSize);
            }
        }

        /** Full batch, head only. */
        public Options(Optimizer optimizer, Schedule schedule, int steps, String stage, long seed, int hidden,
                int warmSteps, int checkpointEvery, BooleanSupplier cancelled) {
            this(optimizer, schedule, steps, stage, seed, hidden, warmSteps, checkpointEvery, cancelled, 0, false);
        }

        public static Options sgd(float lr, int steps, String stage) {
            return new Options(Optimizer.sgd(0, 0), new Schedule("constant", lr, steps, 0.9f), steps, stage, 0,
                    MaskGenerator.HIDDEN, 20, 0, () -> false);
        }

        public Options withStage(String s, int n, Schedule sched) {
            return new Options(optimizer, sched, n, s, seed, hidden, warmSteps, checkpointEvery, cancelled, batchSize, adapters);
        }
    }

    /** The trained head, the jointly trained adapters (null unless asked for) and the losses of the steps done. */
    public record Result(MaskGenerator head, Adapters adapters, double[] losses) {
        /** Writes {@link #ONNX} + {@link #META} (see {@link MaskGeneratorTrainer#export}) and the adapters if any. */
        public void export(ClipModel model, List<String> classes, Path dir) {
            MaskGeneratorTrainer.export(model, head, classes, dir);
            if (adapters != null) {
                adapters.save(dir, Map.of("trained", "jointly with the SemPLeS mask generator"));
            }
        }

        /** Head and adapters as one flat buffer (the training parameters' order), to continue from. */
        public float[] flat() {
            float[] h = head.flat();
            if (adapters == null) {
                return h;
            }
            float[] a = adapters.flat();
            float[] out = java.util.Arrays.copyOf(h, h.length + a.length);
            System.arraycopy(a, 0, out, h.length, a.length);
            return out;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClipModel model;
    private final Path workDir;

    private final FeatureCache features;

    public MaskGeneratorTrainer(ClipModel model, Path workDir) {
        this(model, workDir, new FeatureCache(model, FeatureCache.DEFAULT_BYTES));
    }

    /** With features shared with other trainers of the same data (the stages of one run). */
    public MaskGeneratorTrainer(ClipModel model, Path workDir, FeatureCache features) {
        this.model = model;
        this.workDir = workDir;
        this.features = features;
    }

    /** "a photo of {class}." embeddings [K,E]. */
    public float[] classTexts(List<String> classes) {
        return model.textEmbeds(classes.stream().map(c -> "a photo of " + c + ".").toList()).toFloats();
    }

    /** The frozen features [B,P,E] (unit rows) of images {@code which} of {@code data}. */
    public float[] features(Data data, int[] which) {
        return features.of(data, which);
    }

    /** The features of every image [n,P,E]. */
    public float[] features(Data data) {
        int[] all = new int[data.n()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return features(data, all);
    }

    /** The trainable tensors: the head's four, then the adapters' six when trained jointly. */
    public static Map<String, long[]> parameters(int e, int hidden, int k, boolean adapters) {
        Map<String, long[]> m = new LinkedHashMap<>(MaskGenerator.shapes(e, hidden, k));
        if (adapters) {
            m.putAll(Adapters.shapes(e, Adapters.hiddenFor(e)));
        }
        return m;
    }

    /** As {@link #train(Data, float[], float[], Options, float[], StepListener)} from the warm start. */
    public Result train(Data data, float[] text, float[] prompts, Options o, TrainingLoop.StepListener listener) {
        return train(data, text, prompts, o, null, listener);
    }

    /**
     * Trains on {@code data} with class text embeddings {@code text} [K,E] and, for stage c, the learned background
     * prompt embeddings {@code prompts} [K,E] (null for stage a). A fresh run starts from {@code initial} (the flat
     * parameters of an earlier stage, {@link Result#flat()}) or, when null, from the warm start (and fresh
     * adapters); a run with a checkpoint from the same settings in the work folder resumes from it.
     */
    public Result train(Data data, float[] text, float[] prompts, Options o, float[] initial, TrainingLoop.StepListener listener) {
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
        Minibatches batches = new Minibatches(pairs.length, o.batchSize() == 0 ? pairs.length : o.batchSize(), o.seed());
        Map<String, long[]> params = parameters(e, h, k, o.adapters());
        TrainingLoop.Spec spec = new TrainingLoop.Spec(workDir, "SemPLeS mask generator stage " + o.stage(), params,
                settings(data, text, prompts, o, initial), o.optimizer(), o.schedule(), o.steps(), o.checkpointEvery(),
                o.cancelled(), step -> batch(data, pairs, batches.indices(step)));
        try (SafetensorsFile st = SafetensorsFile.open(model.folder().safetensors())) {
            Graph forward = graph(cfg, new SafetensorsWeights(st), batches.size(), k, text, prompts, h, o.stage(), o.adapters());
            TrainingLoop.Outcome r = TrainingLoop.run(spec, forward, () -> initial != null ? initial : fresh(text, data, o),
                    model.sessions(), listener);
            float[] p = r.parameters();
            int headSize = MaskGenerator.size(e, h, k);
            MaskGenerator head = MaskGenerator.fromFlat(e, h, k, java.util.Arrays.copyOf(p, headSize));
            Adapters adapters = o.adapters()
                    ? Adapters.fromFlat(e, Adapters.hiddenFor(e), java.util.Arrays.copyOfRange(p, headSize, p.length)) : null;
            return new Result(head, adapters, r.losses());
        }
    }

    /**
     * The data inputs of one batch of pairs: {@code pixels} [B,3,S,S], {@code features} [B,P,E] (from the feature
     * cache), {@code pair_onehot} [B,K].
     */
    public Map<String, NpyArray> batch(Data data, int[][] pairs, int[] which) {
        int e = model.config().projectionDim();
        int b = which.length;
        int[] images = new int[b];
        float[] onehot = new float[b * data.k()];
        for (int i = 0; i < b; i++) {
            images[i] = pairs[which[i]][0];
            onehot[i * data.k() + pairs[which[i]][1]] = 1;
        }
        float[] px = data.pixels(images);
        float[] f = features(data, images);
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("pixels", NpyArray.ofFloats(px, b, 3, data.size(), data.size()));
        m.put("features", NpyArray.ofFloats(f, b, f.length / b / e, e));
        m.put("pair_onehot", NpyArray.ofFloats(onehot, b, data.k()));
        return m;
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

    /** Learned background prompt embeddings [K,E] (prompt_embeds.npy), shape checked. */
    public float[] promptEmbeds(Path file, int k) {
        return org.clipwsss.runtime.io.Npy.read(file).requireShape(file, "prompt embeddings", k, model.config().projectionDim()).toFloats();
    }

    /** A fresh start: the warm-started head, then (when trained jointly) seeded adapters. */
    private float[] fresh(float[] text, Data data, Options o) {
        float[] head = warmStart(text, data, o);
        if (!o.adapters()) {
            return head;
        }
        int e = model.config().projectionDim();
        float[] a = Adapters.init(e, Adapters.hiddenFor(e), o.seed()).flat();
        float[] out = java.util.Arrays.copyOf(head, head.length + a.length);
        System.arraycopy(a, 0, out, head.length, a.length);
        return out;
    }

    /**
     * Fits a seeded head by MSE to {@link #warmTargets} ({@code warmSteps} AdamW steps, rate {@link Options#WARM_LR},
     * minibatches of images as large as the pair batches); returns its flat parameters.
     */
    private float[] warmStart(float[] text, Data data, Options o) {
        int e = model.config().projectionDim();
        int h = o.hidden();
        int k = data.k();
        int n = data.n();
        float[] p = MaskGenerator.init(e, h, k, o.seed()).flat();
        if (o.warmSteps() <= 0) {
            return p;
        }
        int grid = data.size() / model.config().vision().patchSize();
        int patches = grid * grid;
        Minibatches images = new Minibatches(n, o.batchSize() == 0 ? n : o.batchSize(), o.seed() + 1);
        int b = images.size();
        GraphBuilder g = new GraphBuilder("mask_generator_warm_start");
        Map<String, String> in = new LinkedHashMap<>();
        MaskGenerator.shapes(e, h, k).forEach((name, s) -> in.put(name, g.input(name, ElemType.FLOAT, box(s))));
        String f = g.input("features", ElemType.FLOAT, (long) b, (long) patches, (long) e);
        String target = g.input("warm_targets", ElemType.FLOAT, (long) b, (long) patches, (long) k);
        String d = g.sub(MaskGenerator.patchMaps(g, f, in), target);
        g.output(g.op("ReduceMean", List.of(g.mul(d, d)), Map.of("keepdims", 0L)), "loss", ElemType.FLOAT);
        TrainingLoop.Feed feed = step -> {
            float[] fb = features(data, images.indices(step));
            return Map.of("features", NpyArray.ofFloats(fb, b, patches, e),
                    "warm_targets", NpyArray.ofFloats(warmTargets(fb, text, b, k, e), b, patches, k));
        };
        // the same loop as training, in its own folder (its checkpoint makes an interrupted warm start resumable)
        Path dir = workDir.resolve("warm-start");
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException ex) {
            throw ClipWsssException.file(dir, "cannot create (" + ex.getMessage() + ")", ex);
        }
        ObjectNode settings = JSON.createObjectNode().put("trainer", "mask-generator-warm-start").put("steps", o.warmSteps())
                .put("seed", o.seed()).put("hidden", h).put("batch", b);
        TrainingLoop.Spec spec = new TrainingLoop.Spec(dir, "mask generator warm start (MSE to CAMs)", MaskGenerator.shapes(e, h, k),
                settings, Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f), new Schedule("constant", Options.WARM_LR, o.warmSteps(), 0.9f),
                o.warmSteps(), 0, () -> false, feed);
        float[] init = p;
        return TrainingLoop.run(spec, g.build(), () -> init, model.sessions(), (step, loss) -> { }).parameters();
    }

    /**
     * The forward graph for batches of {@code batch} pairs: inputs the head's four parameters (and the adapters' six
     * when {@code adapters}), {@code pixels} [B,3,S,S], {@code features} [B,P,E] (unit rows) and {@code pair_onehot}
     * [B,K] (each pair's class); output {@code loss} (and {@code loss_fg}, {@code loss_bg}, {@code loss_prompt} for
     * stage c, each an unweighted mean).
     */
    public static Graph graph(ClipConfig cfg, SafetensorsWeights weights, int batch, int k, float[] text, float[] prompts,
            int hidden, String stage, boolean adapters) {
        int e = cfg.projectionDim();
        int s = cfg.vision().imageSize();
        int grid = s / cfg.vision().patchSize();
        GraphBuilder g = new GraphBuilder("semples_mask_generator");
        Map<String, String> in = new LinkedHashMap<>();
        parameters(e, hidden, k, adapters).forEach((name, sh) -> in.put(name, g.input(name, ElemType.FLOAT, box(sh))));
        String x = g.input("pixels", ElemType.FLOAT, (long) batch, 3L, (long) s, (long) s);
        String f = g.input("features", ElemType.FLOAT, (long) batch, (long) grid * grid, (long) e);
        String onehot = g.input("pair_onehot", ElemType.FLOAT, (long) batch, (long) k);
        // each pair's own class map at patch resolution [B,P], then upsampled to [B,S*S]
        String own = g.op("ReduceSum", List.of(g.mul(MaskGenerator.patchMaps(g, f, in), g.unsqueeze(onehot, 1)),
                g.constantLongs("class_axis", 2)), Map.of("keepdims", 0L));
        String ut = g.initializer(Initializer.floats("upsample_t", MaskGenerator.upsampleTransposed(grid, s), (long) grid * grid, (long) s * s));
        String m = g.reshape(g.matMul(own, ut), batch, 1, s, s);
        String fgPixels = g.mul(m, x);
        String bgPixels = g.mul(g.sub(g.constant("one", 1f), m), x);
        String emb = ClipGraphs.visionEmbeds(g, cfg, weights, g.concat(0, fgPixels, bgPixels));
        String vf = g.slice(emb, new long[] {0}, new long[] {batch}, new long[] {0});
        String vb = g.slice(emb, new long[] {batch}, new long[] {2L * batch}, new long[] {0});
        String t = g.matMul(onehot, g.initializer(Initializer.floats("class_text_embeds", text, k, e)));
        if (adapters) {
            vf = AdapterTrainer.adapt(g, vf, in, "image_adapter.");
            vb = AdapterTrainer.adapt(g, vb, in, "image_adapter.");
            t = AdapterTrainer.adapt(g, t, in, "text_adapter.");
        }
        String lossFg = Losses.cosine(g, vf, t);
        String lossBg = meanNegLogOneMinus(g, vb, t);
        String loss = g.add(lossFg, g.mul(g.constant("lambda_b", LAMBDA_B), lossBg));
        g.output(lossFg, "loss_fg", ElemType.FLOAT);
        g.output(lossBg, "loss_bg", ElemType.FLOAT);
        if (stage.equals("c")) {
            String u = g.matMul(onehot, g.initializer(Initializer.floats("prompt_embeds", prompts, k, e)));
            if (adapters) {
                u = AdapterTrainer.adapt(g, u, in, "text_adapter.");
            }
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

    private ObjectNode settings(Data data, float[] text, float[] prompts, Options o, float[] initial) {
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
        n.put("data_hash", data.images().hash() * 31 + Arrays.hashCode(data.targets()));
        n.put("text_hash", Arrays.hashCode(text) * 31 + (prompts == null ? 0 : Arrays.hashCode(prompts)));
        n.put("batch", o.batchSize());
        n.put("data_order_seed", o.seed());
        n.put("adapters", o.adapters());
        n.put("initial_hash", initial == null ? 0 : Arrays.hashCode(initial));
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
