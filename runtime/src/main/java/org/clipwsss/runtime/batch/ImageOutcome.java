package org.clipwsss.runtime.batch;

/**
 * What happened to one image of a batch; {@code endsTheRun}: it failed with an error after which the run cannot go
 * on (see {@link org.clipwsss.runtime.Failures#endsTheRun}).
 */
public record ImageOutcome(String image, Status status, String reason, double seconds, boolean endsTheRun) {
    public enum Status { DONE, SKIPPED, FAILED }

    public ImageOutcome(String image, Status status, String reason, double seconds) {
        this(image, status, reason, seconds, false);
    }

    /** The same failure, marked as one that ends the run. */
    ImageOutcome endingTheRun() {
        return new ImageOutcome(image, status, reason, seconds, true);
    }
}
