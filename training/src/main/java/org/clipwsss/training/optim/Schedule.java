package org.clipwsss.training.optim;

import java.util.Locale;
import org.clipwsss.runtime.ClipWsssException;

/** Learning rate per step: constant, cosine annealing to 0, or polynomial decay, over {@code total} steps. */
public record Schedule(String kind, float base, int total, float power) {
    public Schedule {
        if (!java.util.List.of("constant", "cosine", "poly").contains(kind)) {
            throw new ClipWsssException("unknown schedule '" + kind + "' (constant, cosine, poly)");
        }
    }

    public static Schedule parse(String kind, float base, int total) {
        return new Schedule(kind.toLowerCase(Locale.ROOT), base, total, 0.9f);
    }

    /** The rate of step {@code step} (0-based). */
    public float at(int step) {
        double progress = total <= 0 ? 0 : Math.min(1.0, (double) step / total);
        switch (kind) {
            case "cosine":
                return (float) (base * 0.5 * (1 + Math.cos(Math.PI * progress)));
            case "poly":
                return (float) (base * Math.pow(1 - progress, power));
            default:
                return base;
        }
    }
}
