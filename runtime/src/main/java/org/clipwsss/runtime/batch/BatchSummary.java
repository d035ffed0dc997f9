package org.clipwsss.runtime.batch;

import java.nio.file.Path;
import java.util.List;

/** The end of a batch run: counts, whether it was cancelled, and every failure with its reason. */
public record BatchSummary(int total, int done, int skipped, int failed, boolean cancelled, double seconds, Path outDir,
        List<ImageOutcome> failures) {
    public BatchSummary {
        failures = List.copyOf(failures);
    }

    public String oneLine() {
        return String.format("%d images: %d done, %d skipped (already complete), %d failed%s in %.1f s; outputs in %s",
                total, done, skipped, failed, cancelled ? ", cancelled" : "", seconds, outDir);
    }
}
