package org.clipwsss.plugin.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.plugin.Models;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.training.prompts.FolderExamples;
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
 * SemPLeS background prompts learned from a folder of images and their labels; progress in the status bar,
 * Esc or cancelling stops after the current step and saves a checkpoint, from which a rerun continues.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Train Background Prompts...")
public class TrainPromptsCommand extends ContextCommand {
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

    @Parameter(label = "Classes", description = "The classes to learn prompts for, ;-separated")
    private String classes = "";

    @Parameter(label = "Output folder", style = "directory")
    private File output;

    @Parameter(label = "Model", required = false)
    private String model = "";

    @Parameter(label = "Prompt length", min = "1")
    private int length = 30;

    @Parameter(label = "Steps", min = "1")
    private int steps = 100;

    @Parameter(label = "Learning rate")
    private double lr = 1.0;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    public void run() {
        CommandSupport.guard(this, "Train Background Prompts", log, ui, () -> {
            List<String> names = TrainingSupport.classes(classes);
            ClipModel m = Models.open(model);
            Path out = TrainingSupport.outputFolder(output);
            status.showStatus("CLIP WSSS: computing masks");
            PromptTrainer.Examples ex = FolderExamples.build(m, Models.pipeline(model, PipelineSettings.defaults()),
                    BatchJob.listImages(input.toPath()), TrainingSupport.labelsOf(labels), names,
                    problem -> log.warn("CLIP WSSS: left out " + problem));
            int w = m.config().text().hiddenSize();
            PromptTrainer.Options o = new PromptTrainer.Options(Optimizer.sgd(0, 0), Schedule.parse("constant", (float) lr, steps), steps,
                    0.02f, 10, TrainingSupport.cancelled(this));
            TrainingSupport.Progress progress = new TrainingSupport.Progress(status, log, "Train Background Prompts", steps);
            PromptTrainer.Result r = new PromptTrainer(m, out).train(names, ex, PromptTrainer.randomPrompts(names.size(), length, w, 0),
                    length, o, progress::step);
            if (r.losses().length == steps) {
                r.save(out, names, length, w, m.config().projectionDim(), java.util.Map.of("lr", lr, "steps", steps));
            }
            summary = TrainingSupport.summary(r.losses(), steps, out);
            log.info("CLIP WSSS Train Background Prompts: " + summary);
            status.clearStatus();
        });
    }
}
