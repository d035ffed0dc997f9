package org.clipwsss.plugin.commands;

import java.io.File;
import java.util.function.BiFunction;
import org.clipwsss.plugin.Training;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.UIService;

/**
 * The inputs the training commands share (a folder, its labels, the classes, the output folder, the model), their
 * one-line summary, and how they run: progress in the status bar, Esc or cancelling stops after the current step
 * with a checkpoint, errors as one line.
 */
abstract class TrainingCommand extends ContextCommand {
    @Parameter
    protected LogService log;

    @Parameter
    protected StatusService status;

    @Parameter(required = false)
    protected UIService ui;

    @Parameter(label = "Input folder", style = "directory")
    protected File input;

    @Parameter(label = "Labels", description = "A labels.csv (image,labels) or one label set for every image")
    protected String labels = "";

    @Parameter(label = "Classes", description = "The classes, ;-separated")
    protected String classes = "";

    @Parameter(label = "Output folder", style = "directory")
    protected File output;

    @Parameter(label = "Model", required = false)
    protected String model = "";

    @Parameter(type = ItemIO.OUTPUT)
    protected String summary;

    /** Runs {@code work} on this command's job (with the given optimizer, steps and rate) and keeps its summary. */
    protected void train(String name, String optimizer, int steps, double lr, BiFunction<Training.Job, Training.Reporter, String> work) {
        CommandSupport.guard(this, name, log, ui, () -> {
            CommandReporter r = new CommandReporter(this, status, log);
            summary = r.finish(name, work.apply(new Training.Job(input.getPath(), labels, classes, output.getPath(), model, optimizer,
                    steps, lr), r));
        });
    }
}
