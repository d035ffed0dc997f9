package org.clipwsss.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.training.prompts.PromptData;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.TrainingLoop;
import org.clipwsss.training.prompts.PromptTrainer;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.prompts.LabelsCsv;
import org.clipwsss.training.prompts.FolderExamples;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train-prompts", description = "SemPLeS background prompt learning, from tensors or from a folder of images with labels.")
final class TrainPromptsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--classes", required = true, paramLabel = "\"a;b;c\"")
    String classes;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        Tensors tensors;

        @ArgGroup(exclusive = false)
        Folder folder;
    }

    static final class Tensors {
        @Option(names = "--pixels", required = true, paramLabel = "X.npy", description = "Normalised images [N,3,S,S].")
        Path pixels;

        @Option(names = "--masks", required = true, paramLabel = "M.npy", description = "Class masks [N,K,S,S] in [0,1].")
        Path masks;

        @Option(names = "--targets", required = true, paramLabel = "Y.npy", description = "Image-level labels [N,K], 0/1.")
        Path targets;
    }

    static final class Folder {
        @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images; masks come from the pipeline's CAMs.")
        Path input;

        @Option(names = "--labels", required = true, paramLabel = "labels.csv|\"a;b\"")
        String labels;

        /** The images of the folder (sorted), as segment lists them. */
        List<Path> images() {
            return BatchJob.listImages(input);
        }

        /** An image's labels: its labels.csv row, or the one label set given for every image. */
        java.util.function.Function<Path, List<String>> labelsOf() {
            return LabelsCsv.lookup(labels);
        }
    }

    @Option(names = "--init", paramLabel = "P0.npy", description = "Initial prompts [K,L,W] (default: random, std 0.02, --seed).")
    Path init;

    @Option(names = "--prompt-length", defaultValue = "30", paramLabel = "L", description = "Learnable tokens per class without --init.")
    int promptLength;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N")
    long seed;

    @Mixin
    PipelineOptions pipelineOptions;

    @Mixin
    TrainingOptions training;

    @Option(names = "--lambda", defaultValue = "0.02", paramLabel = "L", description = "Weight of the class-text term (default 0.02).")
    float lambda;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    private PromptTrainer.Examples folderExamples(ClipModel model, List<String> names, PrintWriter terminal) {
        Pipeline pipeline = Pipeline.create(model, pipelineOptions.settings());
        List<Path> images = source.folder.images();
        terminal.println("computing masks and background embeddings for " + images.size() + " images");
        PromptTrainer.Examples ex = FolderExamples.build(model, pipeline, images, source.folder.labelsOf(), names,
                problem -> terminal.println("  left out " + problem));
        terminal.println(ex.pairs().length + " (image, class) pairs");
        return ex;
    }

    @Spec
    CommandSpec spec;

    /**
     * Refuses an input with NaN or an infinity: one such value makes every loss and gradient NaN and the
     * training would write NaN prompts. The error names the file, the count and where the first one is.
     */
    static void requireFinite(Path file, String what, float[] values, long[] shape) {
        int first = -1;
        long count = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                count++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (first >= 0) {
            long[] at = new long[shape.length];
            long rest = first;
            for (int d = shape.length - 1; d >= 0; d--) {
                at[d] = shape[d] > 0 ? rest % shape[d] : 0;
                rest = shape[d] > 0 ? rest / shape[d] : rest;
            }
            throw ClipWsssException.file(file, what + " " + java.util.Arrays.toString(shape) + " contain " + count
                    + " value" + (count == 1 ? "" : "s") + " that " + (count == 1 ? "is" : "are")
                    + " not a finite number, the first " + values[first] + " at " + java.util.Arrays.toString(at)
                    + "; training would only give NaN");
        }
    }

    @Override
    public Integer call() throws IOException {
        Optimizer opt = training.optimizer();
        List<String> names = SegmentCommand.splitLabels(classes);
        PrintWriter terminal = spec.commandLine().getOut();
        Files.createDirectories(out);
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions);
                CancelOnSignal cancel = new CancelOnSignal(terminal)) {
            int size = model.config().vision().imageSize();
            int width = model.config().text().hiddenSize();
            NpyArray p0 = init != null ? Npy.read(init).requireShape(init, "initial prompts", names.size(), -1, width)
                    : NpyArray.ofFloats(PromptTrainer.randomPrompts(names.size(), promptLength, width, seed), names.size(), promptLength, width);
            if (init != null) {
                requireFinite(init, "initial prompts", p0.toFloats(), p0.shape());
            }
            int length = (int) p0.shape()[1];
            PromptTrainer trainer = new PromptTrainer(model, out);
            TrainingOptions.LossLog log = new TrainingOptions.LossLog(out, terminal, training.steps);
            PromptTrainer.Options o = new PromptTrainer.Options(opt, training.schedule(), training.steps, lambda,
                    training.checkpointEvery, cancel::requested);
            TrainingLoop.StepListener listener = log::step;
            PromptTrainer.Result r;
            if (source.tensors != null) {
                PromptData data = PromptData.load(source.tensors.pixels, source.tensors.masks, source.tensors.targets, size, names);
                requireFinite(source.tensors.pixels, "pixels", data.pixels(), new long[] {data.n(), 3, size, size});
                requireFinite(source.tensors.masks, "masks", data.masks(), new long[] {data.n(), data.k(), size, size});
                // targets: PromptData refuses anything but 0 and 1, NaN included
                r = trainer.train(names, data, p0.toFloats(), length, o, listener);
            } else {
                r = trainer.train(names, folderExamples(model, names, terminal), p0.toFloats(), length, o, listener);
            }
            if (log.stoppedEarly()) {
                return 3;
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("optimizer", opt.describe());
            meta.put("schedule", training.schedule);
            meta.put("lr", training.lr);
            meta.put("steps", training.steps);
            meta.put("lambda", lambda);
            meta.put("model", model.folder().dir().toAbsolutePath().toString());
            r.save(out, names, length, width, model.config().projectionDim(), meta);
            terminal.println("wrote " + out.resolve("prompts.npy") + ", prompt_embeds.npy, prompts.json, loss.csv");
        }
        return 0;
    }
}
