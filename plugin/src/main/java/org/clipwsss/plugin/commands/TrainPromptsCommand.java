package org.clipwsss.plugin.commands;

import org.clipwsss.plugin.Training;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SemPLeS background prompts learned from a folder of images and their labels; progress in the status bar,
 * Esc or cancelling stops after the current step and saves a checkpoint, from which a rerun continues.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Train Background Prompts...")
public class TrainPromptsCommand extends TrainingCommand {
    @Parameter(label = "Prompt length", min = "1")
    private int length = 30;

    @Parameter(label = "Steps", min = "1")
    private int steps = 100;

    @Parameter(label = "Learning rate")
    private double lr = 1.0;

    @Override
    public void run() {
        train("Train Background Prompts", "sgd", steps, lr, (job, r) -> Training.prompts(job, length, r));
    }
}
