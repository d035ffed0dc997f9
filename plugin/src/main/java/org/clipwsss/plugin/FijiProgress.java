package org.clipwsss.plugin;

import ij.IJ;
import java.util.function.BooleanSupplier;
import org.clipwsss.runtime.batch.ImageOutcome;
import org.clipwsss.runtime.batch.ProgressListener;

/** Batch progress in ImageJ: the progress bar and status line, failures in the log, cancellation on request. */
public final class FijiProgress implements ProgressListener {
    private final BooleanSupplier cancel;

    /** @param cancel asked between images (null: never cancels) */
    public FijiProgress(BooleanSupplier cancel) {
        this.cancel = cancel;
    }

    @Override
    public void started(int total) {
        IJ.showStatus("CLIP WSSS: " + total + " images");
    }

    @Override
    public void imageFinished(ImageOutcome o, int finished, int total) {
        IJ.showProgress(finished, total);
        IJ.showStatus("CLIP WSSS: " + finished + "/" + total + " " + o.image());
        if (o.status() == ImageOutcome.Status.FAILED) {
            IJ.log("CLIP WSSS: failed " + o.image() + ": " + o.reason());
        }
    }

    @Override
    public boolean cancelRequested() {
        return cancel != null && cancel.getAsBoolean();
    }
}
