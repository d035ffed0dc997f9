package org.clipwsss.plugin.commands;

import java.io.File;
import org.clipwsss.plugin.Training;
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
            CommandReporter r = new CommandReporter(this, status, log);
            summary = r.finish("Train Mask Generator", Training.maskGenerator(new Training.Job(input.getPath(), labels, classes,
                    output.getPath(), model, "adamw", steps, lr), stages, prompts == null ? null : prompts.getPath(), batch, adapters,
                    promptsteps, r));
        });
    }
}
