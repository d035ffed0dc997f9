package org.clipwsss.plugin.commands;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** A pseudo mask of the current image: 8-bit labels with the VOC palette, optional ROIs and a table. */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Pseudo Mask...")
public class PseudoMaskCommand extends PipelineCommand {
    @Parameter(label = "Background threshold", description = "Constant background score in [0,1]; negative: CLIP-ES's (1 - max)",
            min = "-1", max = "1")
    private double threshold = -1;

    @Parameter(label = "Dense CRF (CLIP-ES's)", description = "Masks by CLIP-ES's fully connected CRF on the image's colours;"
            + " pixels under 0.95 confidence become 255")
    private boolean crf;

    @Parameter(label = "Add one ROI per class to the ROI Manager")
    private boolean rois;

    @Parameter(label = "Results table")
    private boolean table = true;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus mask;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ResultsTable results;

    @Override
    public void run() {
        CommandSupport.guard(this, "Pseudo Mask", log, ui, () -> {
            Map<String, String> more = new java.util.HashMap<>();
            if (threshold >= 0) {
                more.put("bg_threshold", Double.toString(threshold));
            }
            if (crf) {
                more.put("crf", "on");
            }
            ClipWsss.MaskResult r = ClipWsss.pseudoMask(imp, labels, pipelineOptions(more));
            mask = r.mask();
            if (rois) {
                // the ROI Manager is a window: headless, the ROIs go to the mask's overlay instead
                if (java.awt.GraphicsEnvironment.isHeadless()) {
                    ij.gui.Overlay o = new ij.gui.Overlay();
                    r.rois().forEach(o::add);
                    mask.setOverlay(o);
                } else {
                    RoiManager rm = RoiManager.getRoiManager();
                    for (Roi roi : r.rois()) {
                        rm.addRoi(roi);
                    }
                }
            }
            if (table) {
                results = r.table();
            }
        });
    }
}
