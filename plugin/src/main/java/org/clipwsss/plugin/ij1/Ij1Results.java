package org.clipwsss.plugin.ij1;

import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;
import java.awt.GraphicsEnvironment;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;

/** Getting the input image and showing results, with a screen or without (headless macros). */
final class Ij1Results {
    private Ij1Results() {
    }

    static ImagePlus currentImage() {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            throw new ClipWsssException("no image is open (open one first)");
        }
        return imp;
    }

    /** Shows the image; headless, makes it the macro's current image instead. */
    static void show(ImagePlus imp) {
        if (GraphicsEnvironment.isHeadless()) {
            WindowManager.setTempCurrentImage(imp);
        } else {
            imp.show();
        }
    }

    /** Shows the table; headless, fills ImageJ's system Results table instead (for getResult/nResults in macros). */
    static void show(ResultsTable table, String title) {
        if (!GraphicsEnvironment.isHeadless()) {
            table.show(title);
            return;
        }
        ResultsTable system = ResultsTable.getResultsTable();
        system.reset();
        String[] headings = table.getHeadings();
        for (int row = 0; row < table.size(); row++) {
            system.incrementCounter();
            for (String h : headings) {
                if (h.equals("Label")) {
                    continue;
                }
                double v = table.getValue(h, row);
                if (Double.isNaN(v) && !"NaN".equals(table.getStringValue(h, row))) {
                    system.addValue(h, table.getStringValue(h, row));
                } else {
                    system.addValue(h, v);
                }
            }
        }
    }

    /**
     * ROIs go to the ROI Manager, shown on the image (if it is shown) with "Show All" and labels; headless (no
     * window can exist) they are added to the image's overlay, where {@code Overlay.size} and
     * {@code Overlay.activateSelection} reach them.
     */
    static void addRois(ImagePlus target, java.util.List<ij.gui.Roi> rois) {
        if (GraphicsEnvironment.isHeadless()) {
            ij.gui.Overlay overlay = target.getOverlay() == null ? new ij.gui.Overlay() : target.getOverlay();
            rois.forEach(overlay::add);
            target.setOverlay(overlay);
            return;
        }
        ij.plugin.frame.RoiManager rm = ij.plugin.frame.RoiManager.getRoiManager();
        rois.forEach(rm::addRoi);
        if (target.getWindow() != null) {
            rm.runCommand(target, "Show All with labels");
        }
    }

    /** Dialog values back to an option string for the facade (values in brackets). */
    static String optionString(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> {
            if (!v.isBlank()) {
                sb.append(k).append("=[").append(v).append("] ");
            }
        });
        return sb.toString();
    }
}
