package org.clipwsss.runtime.batch;

import java.io.PrintWriter;

/** Prints one line every {@code every} images: count, rate, ETA, failures; and each failure as it happens. */
public final class TerminalProgress implements ProgressListener {
    private final PrintWriter out;
    private final int every;
    private long start;
    private int failed;
    private int worked;

    public TerminalProgress(PrintWriter out, int every) {
        this.out = out;
        this.every = Math.max(1, every);
    }

    @Override
    public void started(int total) {
        start = System.nanoTime();
        out.println("processing " + total + " images");
        out.flush();
    }

    @Override
    public void imageFinished(ImageOutcome o, int finished, int total) {
        if (o.status() == ImageOutcome.Status.FAILED) {
            failed++;
            out.println("  failed: " + o.image() + ": " + o.reason());
        }
        if (o.status() == ImageOutcome.Status.DONE) {
            worked++;
        }
        if (finished % every == 0 || finished == total) {
            double secs = (System.nanoTime() - start) / 1e9;
            double rate = worked / Math.max(secs, 1e-9);
            long eta = rate > 0 ? Math.round((total - finished) / Math.max(finished / Math.max(secs, 1e-9), 1e-9)) : 0;
            out.printf("[%d/%d] %.2f images/s, ETA %s, %d failed%n", finished, total, rate, duration(eta), failed);
        }
        out.flush();
    }

    @Override
    public void finished(BatchSummary s) {
        out.println(s.oneLine());
        out.flush();
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format("%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }
}
