package org.clipwsss.plugin.commands;

import ij.ImagePlus;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.UIService;

/** The inputs the single-image commands share: the image, its labels and the model. */
abstract class ImageCommand extends ContextCommand {
    @Parameter
    protected LogService log;

    @Parameter(required = false)
    protected UIService ui;

    @Parameter(label = "Image")
    protected ImagePlus imp;

    @Parameter(label = "Labels", description = CommandSupport.VOC_HINT, validater = "validateLabels")
    protected String labels = "";

    @Parameter(label = "Model", description = "A model folder or an installed model's name (empty: the default)", required = false)
    protected String model = "";

    protected void validateLabels() {
        String problem = CommandSupport.checkLabels(labels);
        if (problem != null) {
            cancel(problem);
        }
    }
}
