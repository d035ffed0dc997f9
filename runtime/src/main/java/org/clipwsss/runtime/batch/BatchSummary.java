package org.clipwsss.runtime.batch;

import java.nio.file.Path;
import java.util.List;

/**
 * The end of a batch run: counts, whether it was cancelled, every failure with its reason, and, when an
 * {@link Error} after which the run could not go on stopped it, why ({@code stoppedBy}, else null).
 */
public record BatchSummary(int total, int done, int skipped, int failed, boolean cancelled, double seconds, Path outDir,
        List<ImageOutcome> failures, String stoppedBy, String note) {
    public BatchSummary {
        failures = List.copyOf(failures);
    }

    /** A summary without a note. */
    public BatchSummary(int total, int done, int skipped, int failed, boolean cancelled, double seconds, Path outDir,
            List<ImageOutcome> failures, String stoppedBy) {
        this(total, done, skipped, failed, cancelled, seconds, outDir, failures, stoppedBy, null);
    }

    /** Images neither done, skipped nor failed (a cancel or a stop came first). */
    public int notProcessed() {
        return total - done - skipped - failed;
    }

    /** The run went through every image and none failed. */
    public boolean complete() {
        return !cancelled && stoppedBy == null && failed == 0;
    }

    /**
     * Why the run as a whole failed, or null: it was stopped by an Error, or every image failed (a model that
     * cannot run fails them all). A caller that goes on with later work (a macro, a script) must not take such a
     * run for a result.
     */
    public String failure() {
        if (stoppedBy != null) {
            return "the run stopped at " + stoppedBy + "; " + notProcessed() + " images not processed (errors.csv and run.json in "
                    + outDir + ")";
        }
        if (total > 0 && failed == total) {
            ImageOutcome first = failures.get(0);
            return "every image failed (" + first.image() + ": " + first.reason() + "); see " + outDir.resolve("errors.csv");
        }
        return null;
    }

    public String oneLine() {
        String end = stoppedBy != null ? ", STOPPED (" + stoppedBy + "), " + notProcessed() + " not processed"
                : cancelled ? ", cancelled, " + notProcessed() + " not processed" : "";
        return String.format("%d images: %d done, %d skipped (already complete), %d failed%s in %.1f s; outputs in %s%s",
                total, done, skipped, failed, end, seconds, outDir, note == null ? "" : "; " + note);
    }
}
