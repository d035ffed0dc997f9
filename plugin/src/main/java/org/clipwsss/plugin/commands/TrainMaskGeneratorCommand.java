package org.clipwsss.plugin.commands;

import java.io.File;
import org.clipwsss.plugin.Training;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * The SemPLeS mask generator from a folder of images and their labels: stage a, stage c with learned prompts, or
 * a, b (background prompts) and c in one run; writes mask_generator.onnx + .json (CAM method onnx) and, for a-b-c,
 * the prompts (Background prompts: prompt_embeds.npy). Esc or cancelling stops after the current step and saves a
 * checkpoint, from which a rerun continues.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Train Mask Generator...")
public class TrainMaskGeneratorCommand extends TrainingCommand {
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

    @Override
    public void run() {
        train("Train Mask Generator", "adamw", steps, lr, (job, r) -> Training.maskGenerator(job, stages,
                prompts == null ? null : prompts.getPath(), batch, adapters, promptsteps, r));
    }
}
