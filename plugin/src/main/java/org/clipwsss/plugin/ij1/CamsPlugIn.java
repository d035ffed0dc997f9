package org.clipwsss.plugin.ij1;

import ij.ImagePlus;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.Options;

/** Macro command "CLIP WSSS CAMs": {@code run("CLIP WSSS CAMs", "labels=[cat;dog] method=clearclip ...")}. */
public final class CamsPlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("CAMs", () -> {
            ImagePlus imp = Ij1Results.currentImage();
            Map<String, String> v = new Ij1Dialog("CLIP WSSS CAMs").text("labels", "").texts(Options.PIPELINE_KEYS).ask();
            if (v == null) {
                return;
            }
            Ij1Results.show(ClipWsss.cams(imp, v.remove("labels"), Ij1Results.optionString(v)));
        });
    }
}
