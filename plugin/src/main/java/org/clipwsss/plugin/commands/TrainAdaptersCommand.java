package org.clipwsss.plugin.commands;

import org.clipwsss.plugin.Training;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * POLE adapters learned from a folder of images and their labels (masks from the pipeline's CAMs, texts from its
 * synonym selection); writes adapters.safetensors for the pipeline's "Trained adapters". Esc or cancelling stops
 * after the current step and saves a checkpoint, from which a rerun continues.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Train Adapters...")
public class TrainAdaptersCommand extends TrainingCommand {
    @Parameter(label = "Optimizer", choices = {"adamw", "sgd"})
    private String optimizer = "adamw";

    @Parameter(label = "Steps", min = "1")
    private int steps = 200;

    @Parameter(label = "Learning rate")
    private double lr = 0.001;

    @Override
    public void run() {
        train("Train Adapters", optimizer, steps, lr, Training::adapters);
    }
}
