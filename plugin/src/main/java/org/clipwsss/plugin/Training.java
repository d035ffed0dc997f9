package org.clipwsss.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.runtime.prompts.LabelsCsv;
import org.clipwsss.training.adapters.AdapterTrainer;
import org.clipwsss.training.maskgen.FolderData;
import org.clipwsss.training.maskgen.MaskGenerator;
import org.clipwsss.training.maskgen.MaskGeneratorTrainer;
import org.clipwsss.training.maskgen.SemplesStages;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import org.clipwsss.training.optim.StepMeter;
import org.clipwsss.training.optim.TrainingLoop;
import org.clipwsss.training.prompts.FolderExamples;
import org.clipwsss.training.prompts.PromptTrainer;

/**
 * Training from a folder of images and their labels, for the Fiji commands, the macro command and scripts:
 * background prompts, adapters, the mask generator. Each run checkpoints in its output folder; when the
 * reporter asks to cancel, it stops after the current step with a checkpoint, and the same call continues.
 * Each returns a one-line summary.
 */
public final class Training {
    /** Where a run's progress and messages go, and whether it should stop. */
    public interface Reporter {
        /** A progress line (step, loss, rate, time left) with the steps done of the total. */
        void progress(String line, int done, int total);

        void info(String line);

        /** An image left out, or another problem that does not stop the run. */
        void warn(String line);

        boolean cancelled();
    }

    /** The common inputs: the folder, its labels (a labels.csv, or one label set for all), the classes and the run. */
    public record Job(String input, String labels, String classes, String output, String model, String optimizer, int steps,
            double lr) { }

    private Training() {
    }

    /** SemPLeS background prompts of {@code length} tokens per class (plain SGD, as SemPLeS). */
    public static String prompts(Job job, int length, Reporter r) {
        List<String> names = classes(job.classes());
        ClipModel m = Models.open(job.model());
        Path out = outputFolder(job.output());
        r.info("CLIP WSSS: computing masks and background embeddings");
        PromptTrainer.Examples ex = FolderExamples.build(m, Models.pipeline(job.model(), PipelineSettings.defaults()), images(job),
                LabelsCsv.lookup(job.labels()), names, problem -> r.warn("CLIP WSSS: left out " + problem));
        int w = m.config().text().hiddenSize();
        PromptTrainer.Options o = new PromptTrainer.Options(Optimizer.sgd(0, 0), Schedule.parse("constant", (float) job.lr(), job.steps()),
                job.steps(), 0.02f, 10, r::cancelled);
        PromptTrainer.Result res = new PromptTrainer(m, out).train(names, ex, PromptTrainer.randomPrompts(names.size(), length, w, 0),
                length, o, meter("Train Background Prompts", job.steps(), r));
        if (res.losses().length == job.steps()) {
            res.save(out, names, length, w, m.config().projectionDim(), Map.of("lr", job.lr(), "steps", job.steps()));
        }
        return summary(res.losses(), job.steps(), out);
    }

    /** POLE adapters on the pipeline's masks, each pair's text from the synonym the pipeline selected. */
    public static String adapters(Job job, Reporter r) {
        List<String> names = classes(job.classes());
        ClipModel m = Models.open(job.model());
        Path out = outputFolder(job.output());
        r.info("CLIP WSSS: computing masks, synonyms and embeddings");
        FolderExamples.Collected c = FolderExamples.collect(m, Models.pipeline(job.model(), PipelineSettings.defaults()), images(job),
                LabelsCsv.lookup(job.labels()), names, problem -> r.warn("CLIP WSSS: left out " + problem), true);
        AdapterTrainer trainer = new AdapterTrainer(m, out);
        AdapterTrainer.Options o = new AdapterTrainer.Options(Optimizer.named(job.optimizer(), 0, 0), Schedule.parse("constant", (float) job.lr(), job.steps()),
                job.steps(), AdapterTrainer.Options.ALPHA, AdapterTrainer.Options.BETA, 0, 10, r::cancelled);
        AdapterTrainer.Result res = trainer.train(trainer.frozen(names, c), o, meter("Train Adapters", job.steps(), r));
        if (res.losses().length == job.steps()) {
            res.adapters().save(out, Map.of("classes", names, "texts", c.names().stream().distinct().map(n -> "a photo of " + n + ".").toList(),
                    "optimizer", job.optimizer(), "lr", job.lr(), "steps", job.steps()));
        }
        return summary(res.losses(), job.steps(), out);
    }

    /**
     * The SemPLeS mask generator: {@code stages} a, c (with {@code prompts}, a prompt_embeds.npy) or abc; minibatches
     * of {@code batch} pairs (0: all), adapters trained jointly when asked; stage b runs {@code promptSteps} steps.
     */
    public static String maskGenerator(Job job, String stages, String prompts, int batch, boolean jointAdapters, int promptSteps,
            Reporter r) {
        if (!List.of("a", "c", "abc").contains(stages)) {
            throw new ClipWsssException("stages must be a, c or abc, not '" + stages + "'");
        }
        List<String> names = classes(job.classes());
        ClipModel m = Models.open(job.model());
        Path out = outputFolder(job.output());
        r.info("CLIP WSSS: reading the images");
        MaskGeneratorTrainer.Data data = FolderData.build(m, images(job), LabelsCsv.lookup(job.labels()), names,
                problem -> r.warn("CLIP WSSS: left out " + problem));
        MaskGeneratorTrainer.Options o = new MaskGeneratorTrainer.Options(Optimizer.named(job.optimizer(), 0, 0),
                Schedule.parse("constant", (float) job.lr(), job.steps()), job.steps(), stages.equals("c") ? "c" : "a", 0,
                MaskGenerator.HIDDEN, 50, 10, r::cancelled, batch, jointAdapters);
        MaskGeneratorTrainer.Result res;
        if (stages.equals("abc")) {
            PromptTrainer.Options po = SemplesStages.promptOptions(1f, promptSteps, 10, r::cancelled);
            SemplesStages.Settings settings = new SemplesStages.Settings(o, job.steps(), po, 30, 0);
            Map<String, TrainingLoop.StepListener> meters = new HashMap<>();
            SemplesStages.Outcome done = SemplesStages.run(m, out, names, data, settings, (stage, step, loss) -> meters
                    .computeIfAbsent(stage, s -> meter("Train Mask Generator, stage " + s, s.equals("b") ? promptSteps : job.steps(), r))
                    .step(step, loss));
            if (!done.finished()) {
                return "stopped; the checkpoints in " + out + " let the same command continue";
            }
            done.save(m, out, names, settings);
            res = done.stageC();
        } else {
            if (stages.equals("c") && (prompts == null || prompts.isBlank())) {
                throw new ClipWsssException("stage c needs the prompt embeddings (prompt_embeds.npy of Train Background Prompts)");
            }
            MaskGeneratorTrainer trainer = new MaskGeneratorTrainer(m, out);
            float[] u = stages.equals("c") ? trainer.promptEmbeds(Path.of(prompts), names.size()) : null;
            res = trainer.train(data, trainer.classTexts(names), u, o, meter("Train Mask Generator", job.steps(), r));
            if (res.losses().length == job.steps()) {
                res.export(m, names, out);
            }
        }
        return summary(res.losses(), job.steps(), out);
    }

    private static TrainingLoop.StepListener meter(String name, int total, Reporter r) {
        StepMeter meter = new StepMeter(total);
        return (step, loss) -> r.progress("CLIP WSSS " + name + ": " + meter.step(step, loss), step + 1, total);
    }

    private static List<Path> images(Job job) {
        return BatchJob.listImages(Path.of(job.input()));
    }

    static List<String> classes(String text) {
        List<String> names = Arrays.stream(text.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new ClipWsssException("give the classes to train for, e.g. boat;train");
        }
        return names;
    }

    static Path outputFolder(String output) {
        if (output == null || output.isBlank()) {
            throw new ClipWsssException("give an output folder");
        }
        Path out = Path.of(output);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot create the output folder (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** The summary of a run that may have been stopped: steps done, last loss, where the results are. */
    static String summary(double[] losses, int steps, Path out) {
        String last = losses.length == 0 ? "-" : String.format(Locale.ROOT, "%.4f", losses[losses.length - 1]);
        return losses.length < steps
                ? "stopped after step " + losses.length + " of " + steps + " (loss " + last + "); the checkpoint in " + out
                        + " lets the same command continue"
                : losses.length + " steps, loss " + last + "; results in " + out;
    }
}
