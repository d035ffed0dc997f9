package org.clipwsss.plugin.commands;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.ImageOutputs;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/** POLE's candidate names for each label of the current image, with their probabilities. */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Select Class Synonyms...")
public class SelectSynonymsCommand extends ContextCommand {
    @Parameter
    private LogService log;

    @Parameter(required = false)
    private UIService ui;

    @Parameter(label = "Image")
    private ImagePlus imp;

    @Parameter(label = "Labels", description = CommandSupport.VOC_HINT, validater = "validateLabels")
    private String labels = "";

    @Parameter(label = "Model", required = false)
    private String model = "";

    @Parameter(label = "Synonyms", description = "A POLE list name (gpt_prompts, ...) or a JSON/CSV file")
    private String synonyms = "gpt_prompts";

    @Parameter(type = ItemIO.OUTPUT)
    private ResultsTable candidates;

    @Override
    public void run() {
        CommandSupport.guard(this, "Select Class Synonyms", log, ui, () -> candidates = ImageOutputs.synonyms(
                ClipWsss.synonyms(imp, labels, CommandSupport.options(model, "clearclip", synonyms, "clip-es", Map.of()))));
    }

    protected void validateLabels() {
        String problem = CommandSupport.checkLabels(labels);
        if (problem != null) {
            cancel(problem);
        }
    }
}
