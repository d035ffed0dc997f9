package org.clipwsss.plugin.ij1;

import ij.IJ;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.plugin.FijiProgress;
import org.clipwsss.plugin.Options;
import org.clipwsss.runtime.batch.BatchSummary;
import org.clipwsss.runtime.batch.ImageOutcome;

/**
 * Macro command "CLIP WSSS Batch": {@code run("CLIP WSSS Batch", "input=[/data/images] labels=[/data/labels.csv]
 * output=[/data/out]")}; {@code labels} may also be one label set for all images ({@code labels=[nucleus]}).
 */
public final class BatchPlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("Batch", () -> {
            Map<String, String> v = new Ij1Dialog("CLIP WSSS Batch").text("input", "").text("labels", "").text("output", "")
                    .text("classes", "").texts(Options.PIPELINE_KEYS).text("max_pixels", "").text("cam_resolution", "").text("cam_dtype", "").text("shard", "").flag("overwrite", false).ask();
            if (v == null) {
                return;
            }
            String input = require(v, "input");
            String labels = require(v, "labels");
            String output = require(v, "output");
            BatchSummary s = ClipWsss.batch(input, labels, output, Ij1Results.optionString(v), new FijiProgress(null));
            IJ.log("CLIP WSSS Batch: " + s.oneLine());
            for (ImageOutcome f : s.failures()) {
                IJ.log("  failed: " + f.image() + ": " + f.reason());
            }
            if (s.failure() != null) {
                throw new org.clipwsss.runtime.ClipWsssException(s.failure());
            }
        });
    }

    static String require(Map<String, String> v, String key) {
        String s = v.remove(key);
        if (s == null || s.isBlank()) {
            throw new org.clipwsss.runtime.ClipWsssException("missing " + key + "= (see the macro's header)");
        }
        return s;
    }
}
