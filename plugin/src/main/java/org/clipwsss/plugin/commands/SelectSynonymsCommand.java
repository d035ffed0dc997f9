package org.clipwsss.plugin.commands;

import ij.measure.ResultsTable;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.ImageOutputs;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** POLE's candidate names for each label of the current image, with their probabilities. */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Select Class Synonyms...")
public class SelectSynonymsCommand extends ImageCommand {
    @Parameter(label = "Synonyms", description = "A POLE list name (gpt_prompts, ...) or a JSON/CSV file")
    private String synonyms = "gpt_prompts";

    @Parameter(type = ItemIO.OUTPUT)
    private ResultsTable candidates;

    @Override
    public void run() {
        CommandSupport.guard(this, "Select Class Synonyms", log, ui, () -> candidates = ImageOutputs.synonyms(
                ClipWsss.synonyms(imp, labels, CommandSupport.options(model, "clearclip", synonyms, "clip-es", Map.of()))));
    }
}
