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
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.training.adapters.AdapterTrainer;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.prompts.PromptData;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.training.prompts.FolderExamples;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train-adapters", description = "POLE image and text adapters on frozen masks (full batch), from tensors, "
        + "or from a folder of images with labels (masks from the pipeline's CAMs, texts from its synonym selection).")
final class TrainAdaptersCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--classes", required = true, paramLabel = "\"a;b;c\"")
    String classes;

    @Option(names = "--names", paramLabel = "\"a1;b1;c1\"",
            description = "The name (selected synonym) per class in the texts \"a photo of {name}.\" (default: the class names).")
    String names;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TrainPromptsCommand.Source source;

    @Mixin
    PipelineOptions pipelineOptions;

    @Mixin
    TrainingOptions training;

    @Option(names = "--alpha", defaultValue = "10", paramLabel = "A", description = "Weight of the foreground term (default 10).")
    float alpha;

    @Option(names = "--beta", defaultValue = "24", paramLabel = "B", description = "Weight of the background term (default 24).")
    float beta;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the adapters' initial weights (default 0).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Optimizer opt = training.optimizer();
        List<String> classList = SegmentCommand.splitLabels(classes);
        List<String> nameList = names == null ? null : SegmentCommand.splitLabels(names);
        List<String> texts = AdapterTrainer.texts(classList, nameList);
        PrintWriter terminal = spec.commandLine().getOut();
        Files.createDirectories(out);
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions);
                CancelOnSignal cancel = new CancelOnSignal(terminal)) {
            int size = model.config().vision().imageSize();
            TrainingOptions.LossLog log = new TrainingOptions.LossLog(out, terminal, training.steps);
            AdapterTrainer.Options o = new AdapterTrainer.Options(opt, training.schedule(), training.steps, alpha, beta, seed,
                    training.checkpointEvery, cancel::requested);
            AdapterTrainer trainer = new AdapterTrainer(model, out);
            AdapterTrainer.Result r;
            if (source.tensors != null) {
                TrainPromptsCommand.Tensors t = source.tensors;
                r = trainer.train(classList, nameList, PromptData.load(t.pixels, t.masks, t.targets, size, classList), o, log::step);
            } else {
                if (nameList != null) {
                    throw new ClipWsssException("--names is for tensors; from a folder each pair's name is the synonym the pipeline selects "
                            + "(--synonyms none keeps the class names)");
                }
                List<Path> images = source.folder.images();
                terminal.println("computing masks, synonyms and embeddings for " + images.size() + " images");
                FolderExamples.Collected c = FolderExamples.collect(model, Pipeline.create(model, pipelineOptions.settings()), images,
                        source.folder.labelsOf(), classList, problem -> terminal.println("  left out " + problem), true);
                terminal.println(c.pairs().length + " (image, class) pairs, names " + new java.util.TreeSet<>(c.names()));
                r = trainer.train(trainer.frozen(classList, c), o, log::step);
                texts = c.names().stream().distinct().map(n -> "a photo of " + n + ".").toList();
            }
            if (log.stoppedEarly()) {
                return 3;
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("classes", classList);
            meta.put("texts", texts);
            meta.put("alpha", alpha);
            meta.put("beta", beta);
            meta.put("clamp", List.of(1e-4, 0.9999));
            meta.put("optimizer", opt.describe());
            meta.put("schedule", training.schedule);
            meta.put("lr", training.lr);
            meta.put("steps", training.steps);
            meta.put("seed", seed);
            meta.put("image_ratio", r.adapters().imageRatio());
            meta.put("text_ratio", r.adapters().textRatio());
            meta.put("model", model.folder().dir().toAbsolutePath().toString());
            r.adapters().save(out, meta);
            terminal.println("wrote " + out.resolve(Adapters.WEIGHTS) + ", " + Adapters.META + ", loss.csv");
        }
        return 0;
    }
}
