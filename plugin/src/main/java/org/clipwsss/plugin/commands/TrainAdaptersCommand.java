package org.clipwsss.plugin.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.plugin.Models;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.training.adapters.AdapterTrainer;
import org.clipwsss.training.optim.Schedule;
import org.clipwsss.training.prompts.FolderExamples;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/**
 * POLE adapters learned from a folder of images and their labels (masks from the pipeline's CAMs, texts from its
 * synonym selection); writes adapters.safetensors for the pipeline's "Trained adapters". Esc or cancelling stops
 * after the current step and saves a checkpoint, from which a rerun continues.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Train Adapters...")
public class TrainAdaptersCommand extends ContextCommand {
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

    @Parameter(label = "Optimizer", choices = {"adamw", "sgd"})
    private String optimizer = "adamw";

    @Parameter(label = "Steps", min = "1")
    private int steps = 200;

    @Parameter(label = "Learning rate")
    private double lr = 0.001;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    public void run() {
        CommandSupport.guard(this, "Train Adapters", log, ui, () -> {
            List<String> names = TrainingSupport.classes(classes);
            ClipModel m = Models.open(model);
            Path out = TrainingSupport.outputFolder(output);
            status.showStatus("CLIP WSSS: computing masks, synonyms and embeddings");
            FolderExamples.Collected c = FolderExamples.collect(m, Models.pipeline(model, PipelineSettings.defaults()),
                    BatchJob.listImages(input.toPath()), TrainingSupport.labelsOf(labels), names,
                    problem -> log.warn("CLIP WSSS: left out " + problem), true);
            AdapterTrainer trainer = new AdapterTrainer(m, out);
            AdapterTrainer.Options o = new AdapterTrainer.Options(TrainingSupport.optimizer(optimizer),
                    Schedule.parse("constant", (float) lr, steps), steps, AdapterTrainer.Options.ALPHA, AdapterTrainer.Options.BETA, 0,
                    10, TrainingSupport.cancelled(this));
            TrainingSupport.Progress progress = new TrainingSupport.Progress(status, log, "Train Adapters", steps);
            AdapterTrainer.Result r = trainer.train(trainer.frozen(names, c), o, progress::step);
            if (r.losses().length == steps) {
                r.adapters().save(out, Map.of("classes", names, "texts", c.names().stream().distinct().map(n -> "a photo of " + n + ".").toList(),
                        "optimizer", optimizer, "lr", lr, "steps", steps));
            }
            summary = TrainingSupport.summary(r.losses(), steps, out);
            log.info("CLIP WSSS Train Adapters: " + summary);
            status.clearStatus();
        });
    }
}
