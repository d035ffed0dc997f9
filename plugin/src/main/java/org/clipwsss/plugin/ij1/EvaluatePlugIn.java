package org.clipwsss.plugin.ij1;

import ij.IJ;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.runtime.eval.EvaluationResult;

/** Macro command "CLIP WSSS Evaluate": {@code run("CLIP WSSS Evaluate", "pred=[out/masks] gt=[gt] classes=[classes.txt]")}. */
public final class EvaluatePlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("Evaluate", () -> {
            Map<String, String> v = new Ij1Dialog("CLIP WSSS Evaluate").text("pred", "").text("gt", "").text("classes", "").ask();
            if (v == null) {
                return;
            }
            EvaluationResult r = ClipWsss.evaluate(BatchPlugIn.require(v, "pred"), BatchPlugIn.require(v, "gt"), v.get("classes"));
            IJ.log(r.toTable());
            ResultsTable t = new ResultsTable();
            for (EvaluationResult.ClassScore c : r.classes()) {
                t.incrementCounter();
                t.addValue("Class", c.name());
                t.addValue("IoU", c.iou());
                t.addValue("Precision", c.precision());
                t.addValue("Recall", c.recall());
            }
            Ij1Results.show(t, "CLIP WSSS evaluation");
        });
    }
}
