package org.clipwsss.training.adapters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.training.autodiff.Gradients;
import org.clipwsss.training.autodiff.Losses;
import org.clipwsss.training.optim.TrainingLoop;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import org.clipwsss.training.prompts.FolderExamples;
import org.clipwsss.training.prompts.PromptData;

/**
 * POLE adapter training on frozen masks. For every (image, present class) pair, v_f and v_b are the frozen CLIP
 * image embeddings of {@code M_k * X} and {@code (1 - M_k) * X}, and u the text embedding of
 * {@code "a photo of {name_k}."} (name_k: the class's selected synonym, or the class name). With the adapted,
 * L2-normalised embeddings (see {@link Adapters}: image adapter on v_f and v_b, text adapter on u) and
 * s = their cosine, the loss is
 * {@code alpha * mean(-log clamp(s(v_f, u))) + beta * mean(-log(1 - clamp(s(v_b, u))))}, clamp to
 * [{@link Losses#COS_MIN}, {@link Losses#COS_MAX}] as CLIMS's SimMaxLoss / SimMinLoss do (so 1 - s is in the same
 * range; where the clamp is active the term has no gradient).
 *
 * <p>The frozen embeddings are computed once per run and baked into the training graph as initializers, so a
 * step runs only the two adapters and the loss (and its gradient, derived by {@link Gradients}). The six
 * parameter tensors are graph inputs; the optimizer sees them concatenated into one buffer in
 * {@link Adapters#NAMES} order (one optimizer state, so weight decay, when asked for, applies to the ratios too).
 */
public final class AdapterTrainer {
    public record Result(Adapters adapters, double[] losses) { }

    /** The frozen inputs of the loss: pairs {image, class}, v_f [P,E], v_b [P,E], u [K,E]. */
    public record Frozen(int[][] pairs, float[] foreground, float[] background, float[] text, int dim) { }

    /** How to train: optimizer, schedule, steps, loss weights, initialisation seed, checkpoints, cancellation. */
    public record Options(Optimizer optimizer, Schedule schedule, int steps, float alpha, float beta, long seed,
            int checkpointEvery, BooleanSupplier cancelled) {
        public static final float ALPHA = 10f;
        public static final float BETA = 24f;

        /** Plain SGD, constant rate, POLE's weights (alpha 10, beta 24), seed 0. */
        public static Options sgd(float lr, int steps) {
            return new Options(Optimizer.sgd(0, 0), new Schedule("constant", lr, steps, 0.9f), steps, ALPHA, BETA, 0, 0, () -> false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClipModel model;
    private final Path workDir;

    public AdapterTrainer(ClipModel model, Path workDir) {
        this.model = model;
        this.workDir = workDir;
    }

    /**
     * Trains the adapters, full batch each step. {@code names} (one per class, or null for the class names) fill
     * the texts. With a checkpoint from an earlier run with the same settings in the work folder, continues from
     * it (the same loss curve as an uninterrupted run); writes a checkpoint every {@code checkpointEvery} steps
     * (0: only at the end), at the end, and when cancelled.
     */
    public Result train(List<String> classes, List<String> names, PromptData data, Options o, TrainingLoop.StepListener listener) {
        List<String> texts = texts(classes, names);
        if (data.pairs().length == 0) {
            throw new ClipWsssException("empty data set: no image has any of the classes " + classes
                    + " (" + data.n() + " images)");
        }
        PromptData.requireEveryClass(classes, data.pairs());
        ObjectNode settings = settings(o);
        settings.set("classes", JSON.valueToTree(classes));
        settings.set("texts", JSON.valueToTree(texts));
        settings.put("images", data.n());
        settings.put("data_hash", java.util.Arrays.hashCode(data.pixels()) * 31 + java.util.Arrays.hashCode(data.masks()) * 17
                + java.util.Arrays.hashCode(data.targets()));
        return run(frozen(texts, data), settings, o, listener);
    }

    /**
     * As {@link #train(List, List, PromptData, Options, StepListener)} on frozen embeddings computed elsewhere
     * (e.g. by {@link #frozen(List, PromptData)} once for several runs); the checkpoint's settings name them by hash.
     */
    public Result train(Frozen frozen, Options o, TrainingLoop.StepListener listener) {
        if (frozen.pairs().length == 0) {
            throw new ClipWsssException("empty data set: no (image, present class) pair");
        }
        ObjectNode settings = settings(o);
        settings.put("pairs", frozen.pairs().length);
        settings.put("frozen_hash", java.util.Arrays.hashCode(frozen.foreground()) * 31 + java.util.Arrays.hashCode(frozen.background()) * 17
                + java.util.Arrays.hashCode(frozen.text()) * 7 + java.util.Arrays.deepHashCode(frozen.pairs()));
        return run(frozen, settings, o, listener);
    }

    private Result run(Frozen frozen, ObjectNode settingsSoFar, Options o, TrainingLoop.StepListener listener) {
        int dim = model.config().projectionDim();
        int hidden = Adapters.hiddenFor(dim);
        if (frozen.dim() != dim) {
            throw new ClipWsssException("frozen embeddings are " + frozen.dim() + " wide, the model's " + dim);
        }
        settingsSoFar.put("embed_dim", dim);
        settingsSoFar.put("hidden", hidden);
        TrainingLoop.Spec spec = new TrainingLoop.Spec(workDir, "POLE adapters", Adapters.shapes(dim, hidden), settingsSoFar,
                o.optimizer(), o.schedule(), o.steps(), o.checkpointEvery(), o.cancelled());
        TrainingLoop.Outcome r = TrainingLoop.run(spec, graph(frozen, hidden, o.alpha(), o.beta()),
                () -> Adapters.init(dim, hidden, o.seed()).flat(), model.sessions(), listener);
        return new Result(Adapters.fromFlat(dim, hidden, r.parameters()), r.losses());
    }

    /** "a photo of {name}." per class ({@code names} null: the class names). */
    public static List<String> texts(List<String> classes, List<String> names) {
        List<String> n = names == null ? classes : names;
        if (n.size() != classes.size()) {
            throw new ClipWsssException(n.size() + " names for " + classes.size() + " classes " + classes + "; give one name per class");
        }
        return n.stream().map(c -> "a photo of " + c + ".").toList();
    }

    /**
     * The frozen inputs from a pass over an image folder ({@link FolderExamples#collect} with foreground): each
     * pair's text is "a photo of {the name selected for it}.", so pairs index the distinct names' embeddings.
     */
    public Frozen frozen(List<String> classes, FolderExamples.Collected c) {
        if (c.pairs().length == 0) {
            throw new ClipWsssException("empty data set: no image has any of the classes " + classes);
        }
        PromptData.requireEveryClass(classes, c.pairs());
        List<String> distinct = new java.util.ArrayList<>(new java.util.LinkedHashSet<>(c.names()));
        int[][] pairs = new int[c.pairs().length][];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = new int[] {c.pairs()[i][0], distinct.indexOf(c.names().get(i))};
        }
        return new Frozen(pairs, c.foreground(), c.background(),
                model.textEmbeds(distinct.stream().map(n -> "a photo of " + n + ".").toList()).toFloats(), model.config().projectionDim());
    }

    /** The frozen CLIP embeddings of the loss (computed once: the towers run here and not during the steps). */
    public Frozen frozen(List<String> texts, PromptData data) {
        int[][] pairs = data.pairs();
        if (pairs.length == 0) {
            throw new ClipWsssException("empty data set: no (image, present class) pair");
        }
        return new Frozen(pairs, imageEmbeddings(data, pairs, true), imageEmbeddings(data, pairs, false),
                model.textEmbeds(texts).toFloats(), model.config().projectionDim());
    }

    /**
     * The forward graph: inputs the six tensors of {@link Adapters#NAMES}; outputs {@code loss} (scalar),
     * {@code loss_fg}, {@code loss_bg} (the two means, unweighted) and the adapted embeddings
     * {@code adapted_fg} [P,E], {@code adapted_bg} [P,E], {@code adapted_text} [K,E].
     */
    public static Graph graph(Frozen f, int hidden, float alpha, float beta) {
        int e = f.dim();
        int p = f.pairs().length;
        int k = f.text().length / e;
        long[] pairClass = new long[p];
        for (int i = 0; i < p; i++) {
            pairClass[i] = f.pairs()[i][1];
        }
        GraphBuilder g = new GraphBuilder("pole_adapters");
        Map<String, String> in = new LinkedHashMap<>();
        Adapters.shapes(e, hidden).forEach((name, s) -> in.put(name, g.input(name, ElemType.FLOAT, box(s))));
        String fg = g.initializer(Initializer.floats("fg_image_embeds", f.foreground(), p, e));
        String bg = g.initializer(Initializer.floats("bg_image_embeds", f.background(), p, e));
        String text = g.initializer(Initializer.floats("class_text_embeds", f.text(), k, e));
        String fgA = adapt(g, fg, in, "image_adapter.");
        String bgA = adapt(g, bg, in, "image_adapter.");
        String textA = adapt(g, text, in, "text_adapter.");
        String u = g.gather(textA, g.constantLongs("pair_class", pairClass), 0);
        String sFg = clamp(g, rowDot(g, fgA, u));
        String sBg = clamp(g, rowDot(g, bgA, u));
        String lossFg = meanNegLog(g, sFg);
        String lossBg = meanNegLog(g, g.sub(g.constant("one", 1f), sBg));
        String loss = g.add(g.mul(g.constant("alpha", alpha), lossFg), g.mul(g.constant("beta", beta), lossBg));
        g.output(loss, "loss", ElemType.FLOAT);
        g.output(lossFg, "loss_fg", ElemType.FLOAT);
        g.output(lossBg, "loss_bg", ElemType.FLOAT);
        g.output(fgA, "adapted_fg", ElemType.FLOAT, p, e);
        g.output(bgA, "adapted_bg", ElemType.FLOAT, p, e);
        g.output(textA, "adapted_text", ElemType.FLOAT, k, e);
        return g.build();
    }

    /** normalise(r * relu(relu(x W1^T) W2^T) + (1 - r) * x) with the tensors {@code side}fc1.weight, fc2.weight, ratio. */
    public static String adapt(GraphBuilder g, String x, Map<String, String> in, String side) {
        String h = g.op("Relu", List.of(g.matMul(x, g.transpose(in.get(side + "fc1.weight"), 1, 0))), Map.of());
        String a = g.op("Relu", List.of(g.matMul(h, g.transpose(in.get(side + "fc2.weight"), 1, 0))), Map.of());
        String r = in.get(side + "ratio");
        String mixed = g.add(g.mul(r, a), g.mul(g.sub(g.constant("one", 1f), r), x));
        return Losses.l2Normalize(g, mixed);
    }

    private static String rowDot(GraphBuilder g, String a, String b) {
        return g.op("ReduceSum", List.of(g.mul(a, b), g.constantLongs("axes", -1)), Map.of("keepdims", 0L));
    }

    private static String clamp(GraphBuilder g, String s) {
        return g.op("Clip", List.of(s, g.constant("s_min", Losses.COS_MIN), g.constant("s_max", Losses.COS_MAX)), Map.of());
    }

    private static String meanNegLog(GraphBuilder g, String x) {
        return g.op("ReduceMean", List.of(g.op("Neg", List.of(g.op("Log", List.of(x), Map.of())), Map.of())), Map.of("keepdims", 0L));
    }

    private static Object[] box(long[] s) {
        Object[] o = new Object[s.length];
        for (int i = 0; i < s.length; i++) {
            o[i] = s[i];
        }
        return o;
    }

    private ObjectNode settings(Options o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("trainer", "pole-adapters");
        n.put("optimizer", o.optimizer().describe());
        n.put("schedule", o.schedule().toString());
        n.put("steps", o.steps());
        n.put("alpha", o.alpha());
        n.put("beta", o.beta());
        n.put("seed", o.seed());
        n.put("model", model.folder().dir().toAbsolutePath().normalize().toString());
        return n;
    }

    /** Image embeddings of M_k * X (foreground) or (1 - M_k) * X, one per pair, in batches of 16. */
    private float[] imageEmbeddings(PromptData data, int[][] pairs, boolean foreground) {
        int size = data.size();
        int plane = size * size;
        int per = 3 * plane;
        float[] all = new float[pairs.length * model.config().projectionDim()];
        int batch = 16;
        int off = 0;
        for (int start = 0; start < pairs.length; start += batch) {
            int n = Math.min(batch, pairs.length - start);
            float[] px = new float[n * per];
            for (int i = 0; i < n; i++) {
                int img = pairs[start + i][0];
                int cls = pairs[start + i][1];
                for (int c = 0; c < 3; c++) {
                    for (int q = 0; q < plane; q++) {
                        float m = data.masks()[(img * data.k() + cls) * plane + q];
                        px[i * per + c * plane + q] = (foreground ? m : 1 - m) * data.pixels()[(img * 3 + c) * plane + q];
                    }
                }
            }
            float[] e = model.imageEmbeds(NpyArray.ofFloats(px, n, 3, size, size)).toFloats();
            System.arraycopy(e, 0, all, off, e.length);
            off += e.length;
        }
        return all;
    }
}
