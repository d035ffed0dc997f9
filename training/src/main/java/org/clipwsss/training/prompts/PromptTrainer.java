package org.clipwsss.training.prompts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.text.ClipTokenizer;
import org.clipwsss.training.autodiff.Losses;
import org.clipwsss.training.optim.TrainingLoop;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.BooleanSupplier;

/**
 * SemPLeS background-prompt learning. Per class k, L learnable token embeddings p_k placed as
 * {@code [SOT, "a", "photo", "of", p_1..p_L, ".", EOT]} (the text tower runs at this real length: with the
 * causal mask the padding after EOT cannot change what is read at EOT) give u_b; with v_b the image embedding of
 * {@code (1 - M_k) * X} and u_f that of "a photo of {class}.", the loss is
 * {@code mean over (image, present class) of -log cos(u_b, v_b) + lambda * log cos(u_b, u_f)}, cosines clamped to
 * [1e-4, 0.9999]. The frozen towers' image and class embeddings are computed once; the training graph (text tower,
 * loss and its gradient with respect to the prompts) is an ordinary ONNX graph run by ONNX Runtime.
 */
public final class PromptTrainer {
    public record Result(float[] prompts, float[] promptEmbeds, double[] losses) {
        /**
         * Writes {@code prompts.npy} [K,L,W], {@code prompt_embeds.npy} [K,E] and {@code prompts.json} (classes,
         * prompt length, then {@code settings}) to {@code out}: what the pipeline's {@code --background} loads.
         */
        public void save(Path out, List<String> classes, int length, int width, int dim, Map<String, Object> settings) {
            int k = classes.size();
            Npy.write(out.resolve("prompts.npy"), NpyArray.ofFloats(prompts, k, length, width));
            Npy.write(out.resolve("prompt_embeds.npy"), NpyArray.ofFloats(promptEmbeds, k, dim));
            Map<String, Object> meta = new java.util.LinkedHashMap<>();
            meta.put("classes", classes);
            meta.put("prompt_length", length);
            meta.putAll(settings);
            try {
                AtomicFiles.writeString(out.resolve("prompts.json"),
                        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n");
            } catch (IOException e) {
                throw ClipWsssException.file(out.resolve("prompts.json"), "cannot write (" + e.getMessage() + ")", e);
            }
        }
    }

    /** Initial prompts [K,L,W] drawn from N(0, 0.02^2) with {@code SplittableRandom(seed)}. */
    public static float[] randomPrompts(int k, int l, int w, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        float[] p = new float[k * l * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        return p;
    }

    private final ClipModel model;
    private final Path workDir;

    public PromptTrainer(ClipModel model, Path workDir) {
        this.model = model;
        this.workDir = workDir;
    }

    /** How to train: optimizer, learning-rate schedule, steps, loss weight, checkpoints, cancellation. */
    public record Options(Optimizer optimizer, Schedule schedule, int steps, float lambda, int checkpointEvery,
            BooleanSupplier cancelled) {
        /** Plain SGD (no momentum, no weight decay), constant rate. */
        public static Options sgd(float lr, int steps, float lambda) {
            return new Options(Optimizer.sgd(0, 0), new Schedule("constant", lr, steps, 0.9f), steps, lambda, 0, () -> false);
        }
    }

    /**
     * Trains the prompts, full batch each step. With a checkpoint from an earlier run with the same settings in
     * the work folder, continues from it (the same loss curve as an uninterrupted run); writes a checkpoint every
     * {@code checkpointEvery} steps (0: only at the end), at the end, and when cancelled.
     */
    public Result train(List<String> classes, PromptData data, float[] init, int promptLength, Options o, TrainingLoop.StepListener listener) {
        int[][] pairs = data.pairs();
        if (pairs.length == 0) {
            throw new ClipWsssException("empty data set: no image has any of the classes " + classes);
        }
        return train(classes, new Examples(pairs, imageEmbeddings(data, pairs),
                java.util.Arrays.hashCode(data.pixels()) * 31 + java.util.Arrays.hashCode(data.masks())), init, promptLength, o, listener);
    }

    /**
     * The training examples once the frozen image tower has run: the (image, class) pairs and the image embedding
     * of each pair's class-masked-out image [P,E]; {@code dataHash} identifies the data for resuming.
     */
    public record Examples(int[][] pairs, float[] backgroundEmbeddings, long dataHash) { }

    public Result train(List<String> classes, Examples data, float[] init, int promptLength, Options o, TrainingLoop.StepListener listener) {
        ClipConfig cfg = model.config();
        int w = cfg.text().hiddenSize();
        int k = classes.size();
        if (init.length != k * promptLength * w) {
            throw new ClipWsssException("initial prompts must be [" + k + "," + promptLength + "," + w + "], have " + init.length + " values");
        }
        int[][] pairs = data.pairs();
        if (pairs.length == 0) {
            throw new ClipWsssException("empty data set: no image has any of the classes " + classes);
        }
        PromptData.requireEveryClass(classes, pairs);
        ObjectNode settings = settings(classes, data, promptLength, o);
        Map<String, long[]> shape = Map.of("prompts", new long[] {k, promptLength, w});
        TrainingLoop.Spec spec = new TrainingLoop.Spec(workDir, "SemPLeS prompt learning", shape, settings, o.optimizer(),
                o.schedule(), o.steps(), o.checkpointEvery(), o.cancelled());
        try (SafetensorsFile st = SafetensorsFile.open(model.folder().safetensors())) {
            Graph forward = forwardGraph(st, classes, data.backgroundEmbeddings(), pairs, promptLength, o.lambda());
            TrainingLoop.Outcome r = TrainingLoop.run(spec, forward, init::clone, model.sessions(), listener);
            NpyArray ub = r.runner().run(r.tensors(shape), List.of("prompt_embeds")).get("prompt_embeds");
            return new Result(r.parameters(), ub.floats(), r.losses());
        }
    }

    private ObjectNode settings(List<String> classes, Examples data, int promptLength, Options o) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.set("classes", new ObjectMapper().valueToTree(classes));
        n.put("prompt_length", promptLength);
        n.put("pairs", data.pairs().length);
        n.put("data_hash", data.dataHash());
        n.put("optimizer", o.optimizer().describe());
        n.put("schedule", o.schedule().toString());
        n.put("steps", o.steps());
        n.put("lambda", o.lambda());
        n.put("model", model.folder().dir().toAbsolutePath().normalize().toString());
        return n;
    }

    /** The forward graph (loss and prompt embeddings; the loop writes it as eval_model.onnx); weights are read from {@code st}. */
    private Graph forwardGraph(SafetensorsFile st, List<String> classes, float[] v, int[][] pairs, int promptLength, float lambda) {
        ClipConfig cfg = model.config();
        int w = cfg.text().hiddenSize();
        int k = classes.size();
        int e = cfg.projectionDim();
        List<String> texts = classes.stream().map(c -> "a photo of " + c + ".").toList();
        float[] uf = model.textEmbeds(texts).floats();
        ClipTokenizer tok = model.tokenizer();
        int[] prefixIds = concat(new int[] {ClipTokenizer.SOT}, tok.bpeIds("a photo of"));
        int[] suffixIds = concat(tok.bpeIds("."), new int[] {ClipTokenizer.EOT});
        long[] pairClass = new long[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            pairClass[i] = pairs[i][1];
        }
        long[] eot = new long[k];
        java.util.Arrays.fill(eot, prefixIds.length + promptLength + suffixIds.length - 1);
        float[] table = st.readFloats("text_model.embeddings.token_embedding.weight");
        GraphBuilder g = new GraphBuilder("prompt_learning");
        String prompts = g.input("prompts", ElemType.FLOAT, k, promptLength, w);
        String prefix = g.expand(g.initializer(Initializer.floats("prefix_embeds", rows(table, prefixIds, w), 1, prefixIds.length, w)),
                g.constantLongs("prefix_shape", k, prefixIds.length, w));
        String suffix = g.expand(g.initializer(Initializer.floats("suffix_embeds", rows(table, suffixIds, w), 1, suffixIds.length, w)),
                g.constantLongs("suffix_shape", k, suffixIds.length, w));
        String embeds = g.concat(1, prefix, prompts, suffix);
        String ub = ClipGraphs.textEmbedsFromInputsEmbeds(g, cfg, new SafetensorsWeights(st), embeds, g.constantLongs("eot", eot));
        String classOfPair = g.constantLongs("pair_class", pairClass);
        String ubPairs = g.gather(ub, classOfPair, 0);
        String vb = g.initializer(Initializer.floats("background_image_embeds", v, pairs.length, e));
        String ufPairs = g.gather(g.initializer(Initializer.floats("class_text_embeds", uf, k, e)), classOfPair, 0);
        String loss = g.sub(Losses.cosine(g, ubPairs, vb), g.mul(g.constant("lambda", lambda), Losses.cosine(g, ubPairs, ufPairs)));
        g.output(loss, "loss", ElemType.FLOAT);
        g.output(Losses.l2Normalize(g, ub), "prompt_embeds", ElemType.FLOAT, k, e);
        return g.build();
    }

    /** Image embeddings of the class-masked-out images, one per pair, in batches. */
    private float[] imageEmbeddings(PromptData data, int[][] pairs) {
        int per = 3 * data.size() * data.size();
        List<float[]> out = new ArrayList<>();
        int batch = 16;
        for (int start = 0; start < pairs.length; start += batch) {
            int n = Math.min(batch, pairs.length - start);
            float[] px = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(data.background(pairs[start + i][0], pairs[start + i][1]), 0, px, i * per, per);
            }
            out.add(model.imageEmbeds(NpyArray.ofFloats(px, n, 3, data.size(), data.size())).floats());
        }
        int total = out.stream().mapToInt(a -> a.length).sum();
        float[] all = new float[total];
        int off = 0;
        for (float[] a : out) {
            System.arraycopy(a, 0, all, off, a.length);
            off += a.length;
        }
        return all;
    }

    private static float[] rows(float[] table, int[] ids, int w) {
        float[] out = new float[ids.length * w];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(table, ids[i] * w, out, i * w, w);
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
