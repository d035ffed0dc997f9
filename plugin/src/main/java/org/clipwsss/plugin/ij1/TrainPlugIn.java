package org.clipwsss.plugin.ij1;

import ij.IJ;
import ij.plugin.PlugIn;
import java.util.Map;
import org.clipwsss.plugin.Training;
import org.clipwsss.runtime.ClipWsssException;

/**
 * Macro command "CLIP WSSS Train": {@code run("CLIP WSSS Train", "trainer=mask-generator input=[/data/images]
 * labels=[/data/labels.csv] classes=[cat;dog] output=[/data/gen] steps=100 lr=0.001")}; {@code trainer} is
 * {@code prompts}, {@code adapters} or {@code mask-generator} (with {@code stages=abc|a|c}, {@code prompts=} for c,
 * {@code batch=}, {@code promptsteps=} and the {@code adapters} flag for joint adapters). Esc stops after the
 * current step with a checkpoint; the same call continues.
 */
public final class TrainPlugIn implements PlugIn {
    @Override
    public void run(String arg) {
        Ij1Dialog.guard("Train", () -> {
            Map<String, String> v = new Ij1Dialog("CLIP WSSS Train").text("trainer", "mask-generator").text("input", "").text("labels", "")
                    .text("classes", "").text("output", "").text("model", "").text("optimizer", "adamw").text("steps", "100")
                    .text("lr", "0.001").text("length", "30").text("stages", "abc").text("prompts", "").text("batch", "8")
                    .text("promptsteps", "50").flag("adapters", false).ask();
            if (v == null) {
                return;
            }
            Training.Job job = new Training.Job(BatchPlugIn.require(v, "input"), BatchPlugIn.require(v, "labels"),
                    BatchPlugIn.require(v, "classes"), BatchPlugIn.require(v, "output"), v.get("model"), v.get("optimizer"),
                    integer(v, "steps"), number(v, "lr"));
            Training.Reporter r = new Training.Reporter() {
                @Override
                public void progress(String line, int done, int total) {
                    IJ.showProgress(done, total);
                    IJ.showStatus(line);
                    if (done % 10 == 1 || done == total) {
                        IJ.log(line);
                    }
                }

                @Override
                public void info(String line) {
                    IJ.showStatus(line);
                }

                @Override
                public void warn(String line) {
                    IJ.log(line);
                }

                @Override
                public boolean cancelled() {
                    return IJ.escapePressed();
                }
            };
            String summary = switch (v.get("trainer")) {
                case "prompts" -> Training.prompts(job, integer(v, "length"), r);
                case "adapters" -> Training.adapters(job, r);
                case "mask-generator" -> Training.maskGenerator(job, v.get("stages"), v.get("prompts"), integer(v, "batch"),
                        Boolean.parseBoolean(v.get("adapters")), integer(v, "promptsteps"), r);
                default -> throw new ClipWsssException("trainer must be prompts, adapters or mask-generator, not '" + v.get("trainer") + "'");
            };
            IJ.log("CLIP WSSS Train: " + summary);
        });
    }

    private static int integer(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ClipWsssException("option '" + key + "' must be a whole number, not '" + v.get(key) + "'");
        }
    }

    private static double number(Map<String, String> v, String key) {
        try {
            return Double.parseDouble(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ClipWsssException("option '" + key + "' must be a number, not '" + v.get(key) + "'");
        }
    }
}
