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
import org.clipwsss.training.maskgen.FolderData;
import org.clipwsss.training.maskgen.MaskGeneratorTrainer;
import org.clipwsss.training.maskgen.SemplesStages;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.StepMeter;
import org.clipwsss.training.prompts.PromptTrainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train-mask-generator", description = "SemPLeS mask generator on frozen ClearCLIP features: stage a, "
        + "stage c with learned background prompts, or a -> b -> c in one run; from tensors or a folder of images with "
        + "labels; writes mask_generator.onnx + .json for segment --method onnx.")
final class TrainMaskGeneratorCommand implements Callable<Integer> {
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
        TrainPromptsCommand.Folder folder;
    }

    static final class Tensors {
        @Option(names = "--pixels", required = true, paramLabel = "X.npy", description = "Normalised images [N,3,S,S].")
        Path pixels;

        @Option(names = "--targets", required = true, paramLabel = "Y.npy", description = "Image-level labels [N,K], 0/1.")
        Path targets;
    }

    @Option(names = "--prompts", paramLabel = "DIR/prompt_embeds.npy", description = "Learned background prompt embeddings [K,E] (stage c).")
    Path prompts;

    @Option(names = "--stage", defaultValue = "a", paramLabel = "a|c|abc",
            description = "a: matching only; c: also away from the background prompts; abc: a, then prompts (b), then c.")
    String stage;

    @Option(names = "--hidden", defaultValue = "64", paramLabel = "H", description = "Width of the head's hidden layer (default 64).")
    int hidden;

    @Option(names = "--warm-steps", defaultValue = "50", paramLabel = "N", description = "Warm-start steps fitting the training-free CAMs (default 50).")
    int warmSteps;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "B", description = "(image, class) pairs per step (default 0: all).")
    int batchSize;

    @Option(names = "--joint-adapters", description = "Train POLE's adapters jointly with the head (writes adapters.safetensors too).")
    boolean jointAdapters;

    @Option(names = "--steps-c", paramLabel = "N", description = "Stage c's steps with --stage abc (default: --steps).")
    Integer stepsC;

    @Option(names = "--prompt-steps", defaultValue = "50", paramLabel = "N", description = "Stage b's prompt-learning steps (default 50).")
    int promptSteps;

    @Option(names = "--prompt-lr", defaultValue = "1.0", paramLabel = "LR", description = "Stage b's SGD rate (default 1.0).")
    float promptLr;

    @Option(names = "--prompt-length", defaultValue = "30", paramLabel = "L", description = "Stage b's learnable tokens per class (default 30).")
    int promptLength;

    @Mixin
    TrainingOptions training;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the initial weights and the data order (default 0).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Optimizer opt = training.optimizer();
        List<String> classList = SegmentCommand.splitLabels(classes);
        if (!List.of("a", "c", "abc").contains(stage)) {
            throw new ClipWsssException("--stage must be a, c or abc, not '" + stage + "'");
        }
        PrintWriter terminal = spec.commandLine().getOut();
        Files.createDirectories(out);
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions);
                CancelOnSignal cancel = new CancelOnSignal(terminal)) {
            MaskGeneratorTrainer.Data data = data(model, classList, terminal);
            if (data.pairs().length > 0) {
                org.clipwsss.training.prompts.PromptData.requireEveryClass(classList, data.pairs());
            }
            MaskGeneratorTrainer trainer = new MaskGeneratorTrainer(model, out);
            MaskGeneratorTrainer.Options o = new MaskGeneratorTrainer.Options(opt, training.schedule(), training.steps,
                    stage.equals("c") ? "c" : "a", seed, hidden, warmSteps, training.checkpointEvery, cancel::requested, batchSize,
                    jointAdapters);
            MaskGeneratorTrainer.Result r;
            if (stage.equals("abc")) {
                PromptTrainer.Options po = SemplesStages.promptOptions(promptLr, promptSteps, training.checkpointEvery, cancel::requested);
                SemplesStages.Settings settings = new SemplesStages.Settings(o, stepsC == null ? training.steps : stepsC, po,
                        promptLength, seed);
                Map<String, StepMeter> meters = new LinkedHashMap<>();
                SemplesStages.Outcome done = SemplesStages.run(model, out, classList, data, settings, (st, step, loss) -> {
                    int total = st.equals("a") ? o.steps() : st.equals("b") ? promptSteps : settings.stepsC();
                    String line = meters.computeIfAbsent(st, x -> new StepMeter(total)).step(step, loss);
                    if (step % 10 == 0 || step == total - 1) {
                        terminal.println("stage " + st + ": " + line);
                        terminal.flush();
                    }
                });
                if (!done.finished()) {
                    terminal.println("stopped; a checkpoint is saved, run the same command again to continue");
                    return 3;
                }
                done.save(model, out, classList, settings);
                r = done.stageC();
            } else {
                float[] u = prompts == null ? null : trainer.promptEmbeds(prompts, classList.size());
                TrainingOptions.LossLog log = new TrainingOptions.LossLog(out, terminal, training.steps);
                r = trainer.train(data, trainer.classTexts(classList), u, o, log::step);
                if (log.stoppedEarly()) {
                    return 3;
                }
                r.export(model, classList, out);
            }
            terminal.println("wrote " + out.resolve(MaskGeneratorTrainer.ONNX) + ", " + MaskGeneratorTrainer.META
                    + (r.adapters() != null ? ", adapters.safetensors" : "") + (stage.equals("abc") ? ", prompts.npy, prompt_embeds.npy" : ", loss.csv"));
        }
        return 0;
    }

    private MaskGeneratorTrainer.Data data(ClipModel model, List<String> classList, PrintWriter terminal) {
        int k = classList.size();
        if (source.folder != null) {
            List<java.nio.file.Path> images = source.folder.images();
            terminal.println("reading " + images.size() + " images");
            MaskGeneratorTrainer.Data d = FolderData.build(model, images, source.folder.labelsOf(), classList,
                    problem -> terminal.println("  left out " + problem));
            terminal.println(d.n() + " images, " + d.pairs().length + " (image, class) pairs");
            return d;
        }
        NpyArray x = Npy.read(source.tensors.pixels);
        long[] xs = x.shape();
        if (xs.length != 4 || xs[1] != 3 || xs[2] != xs[3]) {
            throw ClipWsssException.file(source.tensors.pixels, "must be [N,3,S,S], is " + java.util.Arrays.toString(xs));
        }
        NpyArray y = Npy.read(source.tensors.targets).requireShape(source.tensors.targets, "targets", xs[0], k);
        return new MaskGeneratorTrainer.Data(x.toFloats(), y.toFloats(), (int) xs[0], (int) xs[2], k);
    }
}
