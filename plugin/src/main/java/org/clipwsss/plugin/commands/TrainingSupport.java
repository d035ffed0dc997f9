package org.clipwsss.plugin.commands;

import ij.IJ;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.prompts.LabelsCsv;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.StepMeter;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;

/** What the Fiji training commands share: classes, labels, output folder, optimizer, progress and cancelling. */
final class TrainingSupport {
    private TrainingSupport() {
    }

    /** The ;-separated class list (at least one). */
    static List<String> classes(String text) {
        List<String> names = Arrays.stream(text.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new ClipWsssException("give the classes to train for, e.g. boat;train");
        }
        return names;
    }

    /** An image's labels: from a labels.csv when {@code labels} names one, else the one label set given for all. */
    static Function<Path, List<String>> labelsOf(String labels) {
        Path csv = Files.isRegularFile(Path.of(labels)) ? Path.of(labels) : null;
        LabelsCsv table = csv == null ? null : LabelsCsv.load(csv);
        List<String> fixed = csv == null ? Arrays.stream(labels.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList() : null;
        return f -> table == null ? fixed : table.labelsFor(f.getFileName().toString());
    }

    static Path outputFolder(File output) {
        Path out = output.toPath();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot create the output folder (" + e.getMessage() + ")", e);
        }
        return out;
    }

    static Optimizer optimizer(String name) {
        return switch (name) {
            case "sgd" -> Optimizer.sgd(0, 0);
            case "adamw" -> Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f);
            default -> throw new ClipWsssException("unknown optimizer '" + name + "' (sgd, adamw)");
        };
    }

    /** Cancelling the command or pressing Esc: the training loop stops after the current step and checkpoints. */
    static BooleanSupplier cancelled(ContextCommand command) {
        return () -> command.isCanceled() || IJ.escapePressed();
    }

    /** Step, loss, rate and time left in the status bar (and every tenth step in the log). */
    static final class Progress {
        private final StatusService status;
        private final LogService log;
        private final String name;
        private final int total;
        private final StepMeter meter;

        Progress(StatusService status, LogService log, String name, int total) {
            this.status = status;
            this.log = log;
            this.name = name;
            this.total = total;
            this.meter = new StepMeter(total);
        }

        void step(int step, double loss) {
            String line = "CLIP WSSS " + name + ": " + meter.step(step, loss);
            status.showStatus(step + 1, total, line);
            if (step % 10 == 0 || step == total - 1) {
                log.info(line);
            }
        }
    }

    /** The summary of a run that may have been stopped: steps done, last loss, where the results are. */
    static String summary(double[] losses, int steps, Path out) {
        String last = losses.length == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.4f", losses[losses.length - 1]);
        return losses.length < steps
                ? "stopped after step " + losses.length + " of " + steps + " (loss " + last + "); the checkpoint in " + out
                        + " lets the same command continue"
                : losses.length + " steps, loss " + last + "; results in " + out;
    }
}
