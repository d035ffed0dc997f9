package org.clipwsss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.training.optim.Checkpoint;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import org.clipwsss.training.optim.StepMeter;
import picocli.CommandLine.Option;

/** Optimizer, schedule and checkpoint options the training commands share (a picocli mixin), and their loss log. */
public final class TrainingOptions {
    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "sgd|adamw", description = "sgd (plain unless --momentum) or adamw.")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0", paramLabel = "M", description = "SGD momentum (default 0).")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "D", description = "Weight decay (default 0).")
    float weightDecay;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "constant|cosine|poly")
    String schedule;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N", description = "Save a checkpoint every N steps (and at the end).")
    int checkpointEvery;

    @Option(names = "--lr", required = true, paramLabel = "LR")
    float lr;

    @Option(names = "--steps", required = true, paramLabel = "N")
    int steps;

    Optimizer optimizer() {
        if (steps < 0 || !(lr > 0)) {
            throw new ClipWsssException("--steps must be >= 0 and --lr > 0");
        }
        return Optimizer.named(optimizer, momentum, weightDecay);
    }

    Schedule schedule() {
        return Schedule.parse(schedule, lr, steps);
    }

    /** Progress on the terminal (resumed step, every tenth step with rate and ETA, an early stop); loss.csv is the loop's. */
    static final class LossLog {
        private final PrintWriter terminal;
        private final int steps;
        private final StepMeter meter;
        private int done;

        LossLog(Path out, PrintWriter terminal, int steps) {
            this.terminal = terminal;
            this.steps = steps;
            this.meter = new StepMeter(steps);
            Checkpoint previous = Checkpoint.load(out);
            if (previous != null) {
                terminal.println("resuming from the checkpoint at step " + previous.step());
                done = previous.step();
            }
        }

        void step(int step, double loss) {
            done = step + 1;
            String line = meter.step(step, loss);
            if (step % 10 == 0 || step == steps - 1) {
                terminal.println(line);
                terminal.flush();
            }
        }

        /** Whether the run stopped before its last step (cancelled); says so on the terminal. */
        boolean stoppedEarly() {
            if (done >= steps) {
                return false;
            }
            terminal.println("stopped after step " + done + " of " + steps + "; the checkpoint is saved, run the same command again to continue");
            terminal.flush();
            return true;
        }
    }
}
