package org.clipwsss.plugin.commands;

import ij.ImagePlus;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.ImageOutputs;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Class activation maps of the current image: a 32-bit stack, one slice per label, heatmap LUT. */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Class Activation Maps...")
public class CamsCommand extends PipelineCommand {
    @Parameter(label = "Overlay the top class on the image")
    private boolean overlay;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus cams;

    @Override
    public void run() {
        CommandSupport.guard(this, "Class Activation Maps", log, ui, () -> {
            ImageResult r = ClipWsss.run(imp, labels, pipelineOptions(Map.of()));
            cams = ImageOutputs.cams("CAMs of " + imp.getTitle(), r);
            if (overlay) {
                imp.setOverlay(ImageOutputs.topClassOverlay(r));
            }
        });
    }
}
