package org.clipwsss.plugin.ij1;

import ij.IJ;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.runtime.batch.ShardReports;

/**
 * Macro command "CLIP WSSS Summarize": {@code run("CLIP WSSS Summarize", "output=[/data/out]")} merges the reports of the
 * shards of a sharded batch ({@code shard=I/N} of "CLIP WSSS Batch") into run.json, errors.csv and selection.csv; it
 * stops the macro when shards are missing or unfinished.
 */
public final class SummarizePlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("Summarize", () -> {
            Map<String, String> v = new Ij1Dialog("CLIP WSSS Summarize").text("output", "").ask();
            if (v == null) {
                return;
            }
            ShardReports.Summary s = ClipWsss.summarize(BatchPlugIn.require(v, "output"));
            IJ.log("CLIP WSSS Summarize: " + s.line());
            if (!s.complete()) {
                throw new org.clipwsss.runtime.ClipWsssException("not every shard has finished: " + s.line());
            }
        });
    }
}
