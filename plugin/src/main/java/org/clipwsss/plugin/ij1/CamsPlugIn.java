package org.clipwsss.plugin.ij1;

import ij.ImagePlus;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.ImageOutputs;
import org.clipwsss.plugin.Options;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.pipeline.ImageResult;

/**
 * Macro command "CLIP WSSS CAMs": {@code run("CLIP WSSS CAMs", "labels=[cat;dog] method=clearclip ...")} shows
 * the CAM stack. With {@code overlay} it also shows the photo with one label's map laid over it and a colour bar
 * ({@code overlay_class=dog}; by default the label with the strongest map), shown after the stack, so it is the
 * current image then.
 */
public final class CamsPlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("CAMs", () -> {
            ImagePlus imp = Ij1Results.currentImage();
            Map<String, String> v = new Ij1Dialog("CLIP WSSS CAMs").text("labels", "").texts(Options.PIPELINE_KEYS)
                    .flag("overlay", false).text("overlay_class", "").ask();
            if (v == null) {
                return;
            }
            boolean overlay = Boolean.parseBoolean(v.remove("overlay"));
            String overlayClass = v.remove("overlay_class");
            ImageResult r = ClipWsss.run(imp, v.remove("labels"), Ij1Results.optionString(v));
            Cams c = r.cams();
            int k = ImageOutputs.strongest(c);
            if (!overlayClass.isEmpty()) {
                k = c.classes().indexOf(overlayClass);
                if (k < 0) {
                    throw new ClipWsssException("overlay_class '" + overlayClass + "' is not one of the labels ("
                            + String.join(";", c.classes()) + ")");
                }
            }
            Ij1Results.show(ImageOutputs.cams("CAMs of " + imp.getTitle(), r));
            if (overlay) {
                Ij1Results.show(ImageOutputs.camOverlay(imp, c.maps()[k], c.width(), c.height(), c.classes().get(k)));
            }
        });
    }
}
