package org.clipwsss.runtime.batch;

/** Follows a batch run (the terminal printer and the Fiji progress bar implement it). */
public interface ProgressListener {
    default void started(int total) {
    }

    default void imageFinished(ImageOutcome outcome, int finished, int total) {
    }

    default void finished(BatchSummary summary) {
    }

    /** Checked between images: true stops the run after the current image (nothing is left half-written). */
    default boolean cancelRequested() {
        return false;
    }
}
