package org.clipwsss.plugin.ij1;

import ij.ImagePlus;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.Options;

/**
 * Macro command "CLIP WSSS Pseudo Mask": {@code run("CLIP WSSS Pseudo Mask", "labels=[cat;dog] rois table")}.
 * With {@code rois}, one ROI per class goes to the ROI Manager, outlined on the mask ("Show All" with labels);
 * headless, to the mask's overlay.
 */
public final class PseudoMaskPlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("Pseudo Mask", () -> {
            ImagePlus imp = Ij1Results.currentImage();
            Map<String, String> v = new Ij1Dialog("CLIP WSSS Pseudo Mask").text("labels", "").texts(Options.PIPELINE_KEYS)
                    .flag("rois", false).flag("table", true).ask();
            if (v == null) {
                return;
            }
            boolean rois = Boolean.parseBoolean(v.remove("rois"));
            boolean table = Boolean.parseBoolean(v.remove("table"));
            ClipWsss.MaskResult r = ClipWsss.pseudoMask(imp, v.remove("labels"), Ij1Results.optionString(v));
            Ij1Results.show(r.mask());
            if (rois) {
                Ij1Results.addRois(r.mask(), r.rois());
            }
            if (table) {
                Ij1Results.show(r.table(), "CLIP WSSS classes");
            }
        });
    }
}
