package org.clipwsss.training.optim;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a training run as people read it: step, loss, rate (steps per second since the first step seen)
 * and the estimated time left.
 */
public final class StepMeter {
    private final int total;
    private final LongSupplier nanos;
    private long startNanos = -1;
    private int startStep;

    public StepMeter(int total) {
        this(total, System::nanoTime);
    }

    /** With a clock of one's own (for tests). */
    public StepMeter(int total, LongSupplier nanos) {
        this.total = total;
        this.nanos = nanos;
    }

    /** Records that step {@code step} (0-based) has just finished; returns the progress line. */
    public String step(int step, double loss) {
        long now = nanos.getAsLong();
        if (startNanos < 0) {
            startNanos = now;
            startStep = step;
            return String.format(Locale.ROOT, "step %d/%d loss %.6f", step + 1, total, loss);
        }
        double seconds = (now - startNanos) / 1e9;
        double rate = (step - startStep) / Math.max(seconds, 1e-9);
        double eta = (total - step - 1) / Math.max(rate, 1e-12);
        return String.format(Locale.ROOT, "step %d/%d loss %.6f, %s, ETA %s", step + 1, total, loss,
                rate >= 1 ? String.format(Locale.ROOT, "%.2f steps/s", rate) : String.format(Locale.ROOT, "%.2f s/step", 1 / rate),
                duration(eta));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
