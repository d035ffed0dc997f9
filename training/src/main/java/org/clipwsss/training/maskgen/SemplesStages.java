package org.clipwsss.training.maskgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.training.prompts.PromptTrainer;

/**
 * SemPLeS's three stages as one resumable run, each in a folder of its own under the output folder:
 * <ol>
 * <li>{@code stage-a}: the mask generator learns segment-text matching (from the warm start);</li>
 * <li>{@code stage-b}: background prompts learned with the stage-a generator's masks, frozen (for every pair,
 * the image embedding of {@code (1 - M_k) X});</li>
 * <li>{@code stage-c}: the generator continues from stage a with the learned prompts' term added.</li>
 * </ol>
 * Every stage checkpoints as the trainers do, so a stopped run started again skips the finished stages (their
 * checkpoints are at their last step) and continues the interrupted one. Each stage folder has its own loss.csv.
 */
public final class SemplesStages {
    /** Receives each step's loss with its stage (a, b or c). */
    public interface Listener {
        void step(String stage, int step, double loss);
    }

    /**
     * @param generator the mask generator's options (stage a's and c's steps and schedule come from here and
     *                  {@code stepsC})
     * @param prompts   the background prompts' options (stage b)
     */
    public record Settings(MaskGeneratorTrainer.Options generator, int stepsC, PromptTrainer.Options prompts, int promptLength,
            long promptSeed) { }

    /** The stages' results; a stopped run has null for the stages it did not finish. */
    public record Outcome(MaskGeneratorTrainer.Result stageA, PromptTrainer.Result prompts, MaskGeneratorTrainer.Result stageC) {
        public boolean finished() {
            return stageC != null;
        }

        /** Writes the prompts (prompts.npy, prompt_embeds.npy, prompts.json) and the stage-c generator (and adapters). */
        public void save(ClipModel model, Path out, List<String> classes, Settings s) {
            prompts.save(out, classes, s.promptLength(), model.config().text().hiddenSize(), model.config().projectionDim(), describe(s));
            stageC.export(model, classes, out);
        }
    }

    /** Stage b's options: plain SGD at a constant rate, SemPLeS's lambda 0.02. */
    public static PromptTrainer.Options promptOptions(float lr, int steps, int checkpointEvery, java.util.function.BooleanSupplier cancelled) {
        return new PromptTrainer.Options(org.clipwsss.training.optim.Optimizer.sgd(0, 0),
                org.clipwsss.training.optim.Schedule.parse("constant", lr, steps), steps, 0.02f, checkpointEvery, cancelled);
    }

    private SemplesStages() {
    }

    public static Outcome run(ClipModel model, Path out, List<String> classes, MaskGeneratorTrainer.Data data, Settings s,
            Listener listener) {
        if (data.pairs().length == 0) {
            throw new ClipWsssException("empty data set: no image has any of the classes " + classes);
        }
        org.clipwsss.training.prompts.PromptData.requireEveryClass(classes, data.pairs());
        float[] text = new MaskGeneratorTrainer(model, out).classTexts(classes);
        MaskGeneratorTrainer.Options a = s.generator().withStage("a", s.generator().steps(), s.generator().schedule());
        FeatureCache features = new FeatureCache(model, FeatureCache.DEFAULT_BYTES);
        MaskGeneratorTrainer stageA = new MaskGeneratorTrainer(model, folder(out, "stage-a"), features);
        MaskGeneratorTrainer.Result ra = stageA.train(data, text, null, a, (step, loss) -> listener.step("a", step, loss));
        if (ra.losses().length < a.steps()) {
            return new Outcome(ra, null, null);
        }
        int[][] pairs = data.pairs();
        PromptTrainer.Examples examples = new PromptTrainer.Examples(pairs, backgroundEmbeddings(model, stageA, data, pairs, ra.head()),
                Arrays.hashCode(ra.flat()));
        int w = model.config().text().hiddenSize();
        PromptTrainer.Result rb = new PromptTrainer(model, folder(out, "stage-b")).train(classes, examples,
                PromptTrainer.randomPrompts(classes.size(), s.promptLength(), w, s.promptSeed()), s.promptLength(), s.prompts(),
                (step, loss) -> listener.step("b", step, loss));
        if (rb.losses().length < s.prompts().steps()) {
            return new Outcome(ra, rb, null);
        }
        MaskGeneratorTrainer.Options c = s.generator().withStage("c", s.stepsC(),
                new org.clipwsss.training.optim.Schedule(a.schedule().kind(), a.schedule().base(), s.stepsC(), a.schedule().power()));
        MaskGeneratorTrainer.Result rc = new MaskGeneratorTrainer(model, folder(out, "stage-c"), features).train(data, text, rb.promptEmbeds(),
                c, ra.flat(), (step, loss) -> listener.step("c", step, loss));
        return new Outcome(ra, rb, rc);
    }

    /** Image embeddings of {@code (1 - M_k) X} for every pair, M_k the stage-a head's map, 16 pairs per run. */
    static float[] backgroundEmbeddings(ClipModel model, MaskGeneratorTrainer trainer, MaskGeneratorTrainer.Data data,
            int[][] pairs, MaskGenerator head) {
        int size = data.size();
        int plane = size * size;
        int grid = size / model.config().vision().patchSize();
        List<float[]> out = new ArrayList<>();
        for (int start = 0; start < pairs.length; start += 16) {
            int b = Math.min(16, pairs.length - start);
            int[] images = new int[b];
            for (int i = 0; i < b; i++) {
                images[i] = pairs[start + i][0];
            }
            float[] x = data.pixels(images);
            float[] feats = trainer.features(data, images);
            int pf = feats.length / b;
            float[] px = new float[b * 3 * plane];
            for (int i = 0; i < b; i++) {
                float[] m = head.classMap(feats, i * pf, grid, pairs[start + i][1], size);
                for (int c = 0; c < 3; c++) {
                    for (int q = 0; q < plane; q++) {
                        px[(i * 3 + c) * plane + q] = (1 - m[q]) * x[(i * 3 + c) * plane + q];
                    }
                }
            }
            out.add(model.imageEmbeds(NpyArray.ofFloats(px, b, 3, size, size)).toFloats());
        }
        int e = model.config().projectionDim();
        float[] all = new float[pairs.length * e];
        int off = 0;
        for (float[] a : out) {
            System.arraycopy(a, 0, all, off, a.length);
            off += a.length;
        }
        return all;
    }

    private static Path folder(Path out, String name) {
        Path dir = out.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ClipWsssException.file(dir, "cannot create (" + e.getMessage() + ")", e);
        }
        return dir;
    }

    /** The settings a report names, for prompts.json. */
    public static Map<String, Object> describe(Settings s) {
        return Map.of("stages", "a -> b -> c", "steps_a", s.generator().steps(), "steps_b", s.prompts().steps(),
                "steps_c", s.stepsC(), "prompt_optimizer", s.prompts().optimizer().describe());
    }
}
