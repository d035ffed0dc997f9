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
            CommandReporter r = new CommandReporter(this, status, log);
            summary = r.finish("Train Adapters", Training.adapters(new Training.Job(input.getPath(), labels, classes, output.getPath(),
                    model, optimizer, steps, lr), r));
        });
    }
}
