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

    static void show(ResultsTable table, String title) {
        table.show(title);
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
