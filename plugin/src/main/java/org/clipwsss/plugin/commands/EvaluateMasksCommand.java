package org.clipwsss.plugin.commands;

import ij.measure.ResultsTable;
import java.io.File;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.runtime.eval.EvaluationResult;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/** Predicted masks against ground truth: per-class IoU, precision, recall, and mIoU. */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Evaluate Masks...")
public class EvaluateMasksCommand extends ContextCommand {
    @Parameter
    private LogService log;

    @Parameter(required = false)
    private UIService ui;

    @Parameter(label = "Predicted masks folder", style = "directory")
    private File pred;

    @Parameter(label = "Ground-truth masks folder", style = "directory")
    private File gt;

    @Parameter(label = "Class list (optional; VOC otherwise)", required = false)
    private File classes;

    @Parameter(type = ItemIO.OUTPUT)
    private ResultsTable scores;

    @Parameter(type = ItemIO.OUTPUT)
    private double miou;

    @Override
    public void run() {
        CommandSupport.guard(this, "Evaluate Masks", log, ui, () -> {
            EvaluationResult r = ClipWsss.evaluate(pred.getPath(), gt.getPath(), classes == null ? null : classes.getPath());
            scores = new ResultsTable();
            for (EvaluationResult.ClassScore c : r.classes()) {
                scores.incrementCounter();
                scores.addValue("Class", c.name());
                scores.addValue("IoU", c.iou());
                scores.addValue("Precision", c.precision());
                scores.addValue("Recall", c.recall());
            }
            miou = r.meanIoU();
            log.info("CLIP WSSS Evaluate Masks:\n" + r.toTable());
        });
    }
}
