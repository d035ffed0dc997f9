package org.clipwsss.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.training.maskgen.MaskGenerator;
import org.clipwsss.training.maskgen.MaskGeneratorTrainer;
import org.clipwsss.training.optim.Optimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train-mask-generator", description = "SemPLeS mask generator (stage a, or c with learned background "
        + "prompts) on frozen ClearCLIP features, from tensors (full batch); writes mask_generator.onnx + .json.")
final class TrainMaskGeneratorCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--classes", required = true, paramLabel = "\"a;b;c\"")
    String classes;

    @Option(names = "--pixels", required = true, paramLabel = "X.npy", description = "Normalised images [N,3,S,S].")
    Path pixels;

    @Option(names = "--targets", required = true, paramLabel = "Y.npy", description = "Image-level labels [N,K], 0/1.")
    Path targets;

    @Option(names = "--prompts", paramLabel = "DIR/prompt_embeds.npy", description = "Learned background prompt embeddings [K,E] (stage c).")
    Path prompts;

    @Option(names = "--stage", defaultValue = "a", paramLabel = "a|c", description = "a: matching only; c: also away from the background prompts.")
    String stage;

    @Option(names = "--hidden", defaultValue = "64", paramLabel = "H", description = "Width of the head's hidden layer (default 64).")
    int hidden;

    @Option(names = "--warm-steps", defaultValue = "50", paramLabel = "N", description = "Warm-start steps fitting the training-free CAMs (default 50).")
    int warmSteps;

    @Mixin
    TrainingOptions training;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the head's initial weights (default 0).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Optimizer opt = training.optimizer();
        List<String> classList = SegmentCommand.splitLabels(classes);
        int k = classList.size();
        PrintWriter terminal = spec.commandLine().getOut();
        Files.createDirectories(out);
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            NpyArray x = Npy.read(pixels);
            NpyArray y = Npy.read(targets);
            long[] xs = x.shape();
            long[] ys = y.shape();
            if (xs.length != 4 || xs[1] != 3 || xs[2] != xs[3]) {
                throw ClipWsssException.file(pixels, "must be [N,3,S,S], is " + java.util.Arrays.toString(xs));
            }
            if (ys.length != 2 || ys[0] != xs[0] || ys[1] != k) {
                throw ClipWsssException.file(targets, "must be [" + xs[0] + "," + k + "], is " + java.util.Arrays.toString(ys));
            }
            float[] u = null;
            if (prompts != null) {
                u = Npy.read(prompts).toFloats();
            }
            MaskGeneratorTrainer trainer = new MaskGeneratorTrainer(model, out);
            MaskGeneratorTrainer.Data data = new MaskGeneratorTrainer.Data(x.toFloats(), y.toFloats(), (int) xs[0], (int) xs[2], k);
            TrainingOptions.LossLog log = new TrainingOptions.LossLog(out, terminal, training.steps);
            MaskGeneratorTrainer.Options o = new MaskGeneratorTrainer.Options(opt, training.schedule(), training.steps, stage, seed,
                    hidden, warmSteps, training.checkpointEvery, () -> false);
            MaskGeneratorTrainer.Result r = trainer.train(data, trainer.classTexts(classList), u, o, log::step);
            AtomicFiles.writeString(out.resolve("loss.csv"), log.csv());
            MaskGenerator head = r.head();
            MaskGeneratorTrainer.export(model, head, classList, out);
            terminal.println("wrote " + out.resolve(MaskGeneratorTrainer.ONNX) + ", " + MaskGeneratorTrainer.META + ", loss.csv");
        }
        return 0;
    }
}
