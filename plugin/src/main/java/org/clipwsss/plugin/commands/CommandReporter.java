package org.clipwsss.plugin.commands;

import ij.IJ;
import org.clipwsss.plugin.Training;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;

/**
 * A training command's progress: the status bar (every step: step, loss, rate, time left), the log (every tenth
 * step and the messages); the run stops when the command is cancelled or Esc is pressed.
 */
final class CommandReporter implements Training.Reporter {
    private final ContextCommand command;
    private final StatusService status;
    private final LogService log;

    CommandReporter(ContextCommand command, StatusService status, LogService log) {
        this.command = command;
        this.status = status;
        this.log = log;
    }

    @Override
    public void progress(String line, int done, int total) {
        status.showStatus(done, total, line);
        if (done % 10 == 1 || done == total) {
            log.info(line);
        }
    }

    @Override
    public void info(String line) {
        status.showStatus(line);
    }

    @Override
    public void warn(String line) {
        log.warn(line);
    }

    @Override
    public boolean cancelled() {
        return command.isCanceled() || IJ.escapePressed();
    }

    /** Logs the run's summary and clears the status bar; returns the summary. */
    String finish(String name, String summary) {
        log.info("CLIP WSSS " + name + ": " + summary);
        status.clearStatus();
        return summary;
    }
}
