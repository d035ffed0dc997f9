package org.clipwsss.runtime.batch;

/** What happened to one image of a batch. */
public record ImageOutcome(String image, Status status, String reason, double seconds) {
    public enum Status { DONE, SKIPPED, FAILED }
}
