package org.clipwsss.plugin.commands;

import ij.IJ;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.clipwsss.plugin.Models;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.runtime.prompts.LabelsCsv;
import org.clipwsss.training.prompts.FolderExamples;
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
            List<String> names = Arrays.stream(classes.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            if (names.isEmpty()) {
                throw new ClipWsssException("give the classes to learn prompts for, e.g. boat;train");
            }
            ClipModel m = Models.open(model);
            Path csv = Files.isRegularFile(Path.of(labels)) ? Path.of(labels) : null;
            LabelsCsv table = csv == null ? null : LabelsCsv.load(csv);
            List<String> fixed = csv == null ? Arrays.stream(labels.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList() : null;
            status.showStatus("CLIP WSSS: computing masks");
            PromptTrainer.Examples ex = FolderExamples.build(m, Models.pipeline(model, PipelineSettings.defaults()),
                    BatchJob.listImages(input.toPath()), f -> table == null ? fixed : table.labelsFor(f.getFileName().toString()),
                    names, problem -> log.warn("CLIP WSSS: left out " + problem));
            int w = m.config().text().hiddenSize();
            float[] p0 = PromptTrainer.randomPrompts(names.size(), length, w, 0);
            Path out = output.toPath();
            try {
                Files.createDirectories(out);
            } catch (java.io.IOException e) {
                throw ClipWsssException.file(out, "cannot create the output folder (" + e.getMessage() + ")", e);
            }
            PromptTrainer.Options o = new PromptTrainer.Options(org.clipwsss.training.optim.Optimizer.sgd(0, 0),
                    org.clipwsss.training.optim.Schedule.parse("constant", (float) lr, steps), steps, 0.02f, 10,
                    () -> isCanceled() || IJ.escapePressed());
            PromptTrainer.Result r = new PromptTrainer(m, out).train(names, ex, p0, length, o,
                    (step, loss) -> status.showStatus(step + 1, steps, String.format("CLIP WSSS: step %d, loss %.4f", step, loss)));
            r.save(out, names, length, w, m.config().projectionDim(), java.util.Map.of("lr", lr, "steps", steps));
            summary = r.losses().length + " steps, loss " + (r.losses().length == 0 ? "-" : String.format("%.4f", r.losses()[r.losses().length - 1]))
                    + "; prompts in " + out;
            log.info("CLIP WSSS Train Background Prompts: " + summary);
            status.clearStatus();
        });
    }
}
