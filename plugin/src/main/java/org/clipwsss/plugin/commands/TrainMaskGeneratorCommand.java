package org.clipwsss.plugin.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.plugin.Models;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.training.maskgen.FolderData;
import org.clipwsss.training.maskgen.MaskGeneratorTrainer;
import org.clipwsss.training.maskgen.SemplesStages;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import org.clipwsss.training.prompts.PromptTrainer;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/**
 * The SemPLeS mask generator from a folder of images and their labels: stage a, stage c with learned prompts, or
 * a, b (background prompts) and c in one run; writes mask_generator.onnx + .json (CAM method onnx) and, for a-b-c,
 * the prompts (Background prompts: prompt_embeds.npy). Esc or cancelling stops after the current step and saves a
 * checkpoint, from which a rerun continues.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Train Mask Generator...")
public class TrainMaskGeneratorCommand extends ContextCommand {
    @Parameter
    private LogService log;

    @Parameter
    private StatusService status;

    @Parameter(required = false)
    private UIService ui;

    @Parameter(label = "Input folder", style = "directory")
    private File input;

    @Parameter(label = "Labels", description = "A labels.csv (image,labels) or one label set for every image")
    private String labels = "";

    @Parameter(label = "Classes", description = "The classes, ;-separated")
    private String classes = "";

    @Parameter(label = "Output folder", style = "directory")
    private File output;

    @Parameter(label = "Model", required = false)
    private String model = "";

    @Parameter(label = "Stages", choices = {"abc", "a", "c"})
    private String stages = "abc";

    @Parameter(label = "Prompt embeddings (stage c)", required = false, description = "prompt_embeds.npy of Train Background Prompts")
    private File prompts;

    @Parameter(label = "Steps (stages a and c)", min = "1")
    private int steps = 100;

    @Parameter(label = "Learning rate")
    private double lr = 0.001;

    @Parameter(label = "Batch size (pairs, 0: all)", min = "0")
    private int batch = 8;

    @Parameter(label = "Train adapters jointly")
    private boolean adapters;

    @Parameter(label = "Prompt steps (stage b)", min = "1")
    private int promptsteps = 50;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    public void run() {
        CommandSupport.guard(this, "Train Mask Generator", log, ui, () -> {
            List<String> names = TrainingSupport.classes(classes);
            ClipModel m = Models.open(model);
            Path out = TrainingSupport.outputFolder(output);
            status.showStatus("CLIP WSSS: reading the images");
            MaskGeneratorTrainer.Data data = FolderData.build(m, BatchJob.listImages(input.toPath()), TrainingSupport.labelsOf(labels),
                    names, problem -> log.warn("CLIP WSSS: left out " + problem));
            MaskGeneratorTrainer.Options o = new MaskGeneratorTrainer.Options(TrainingSupport.optimizer("adamw"),
                    Schedule.parse("constant", (float) lr, steps), steps, stages.equals("c") ? "c" : "a", 0, org.clipwsss.training.maskgen.MaskGenerator.HIDDEN, 50, 10,
                    TrainingSupport.cancelled(this), batch, adapters);
            MaskGeneratorTrainer.Result r;
            int total;
            if (stages.equals("abc")) {
                PromptTrainer.Options po = new PromptTrainer.Options(Optimizer.sgd(0, 0), Schedule.parse("constant", 1f, promptsteps),
                        promptsteps, 0.02f, 10, TrainingSupport.cancelled(this));
                SemplesStages.Settings settings = new SemplesStages.Settings(o, steps, po, 30, 0);
                Map<String, TrainingSupport.Progress> progress = new java.util.HashMap<>();
                SemplesStages.Outcome done = SemplesStages.run(m, out, names, data, settings, (stage, step, loss) -> progress
                        .computeIfAbsent(stage, s -> new TrainingSupport.Progress(status, log, "Train Mask Generator, stage " + s,
                                s.equals("b") ? promptsteps : steps))
                        .step(step, loss));
                if (done.stageC() == null) {
                    summary = "stopped; the checkpoints in " + out + " let the same command continue";
                    log.info("CLIP WSSS Train Mask Generator: " + summary);
                    return;
                }
                done.prompts().save(out, names, 30, m.config().text().hiddenSize(), m.config().projectionDim(), SemplesStages.describe(settings));
                r = done.stageC();
                total = steps;
            } else {
                float[] u = null;
                if (stages.equals("c")) {
                    if (prompts == null) {
                        throw new ClipWsssException("stage c needs the prompt embeddings (prompt_embeds.npy of Train Background Prompts)");
                    }
                    u = Npy.read(prompts.toPath()).requireShape(prompts.toPath(), "prompt embeddings", names.size(),
                            m.config().projectionDim()).toFloats();
                }
                MaskGeneratorTrainer trainer = new MaskGeneratorTrainer(m, out);
                TrainingSupport.Progress progress = new TrainingSupport.Progress(status, log, "Train Mask Generator", steps);
                r = trainer.train(data, trainer.classTexts(names), u, o, progress::step);
                total = steps;
            }
            if (r.losses().length == total) {
                MaskGeneratorTrainer.export(m, r.head(), names, out);
                if (r.adapters() != null) {
                    r.adapters().save(out, Map.of("trained", "jointly with the SemPLeS mask generator"));
                }
            }
            summary = TrainingSupport.summary(r.losses(), total, out);
            log.info("CLIP WSSS Train Mask Generator: " + summary);
            status.clearStatus();
        });
    }
}
