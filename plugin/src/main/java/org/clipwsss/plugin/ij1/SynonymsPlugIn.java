package org.clipwsss.plugin.ij1;

import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.ImageOutputs;
import org.clipwsss.plugin.Options;

/** Macro command "CLIP WSSS Synonyms": the candidates and their probabilities for the current image. */
public final class SynonymsPlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("Synonyms", () -> {
            var imp = Ij1Results.currentImage();
            Map<String, String> v = new Ij1Dialog("CLIP WSSS Synonyms").text("labels", "").texts(Options.PIPELINE_KEYS).ask();
            if (v == null) {
                return;
            }
            Ij1Results.show(ImageOutputs.synonyms(ClipWsss.synonyms(imp, v.remove("labels"), Ij1Results.optionString(v))),
                    "CLIP WSSS synonyms");
        });
    }
}
