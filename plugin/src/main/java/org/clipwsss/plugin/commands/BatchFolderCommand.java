package org.clipwsss.plugin.commands;

import ij.IJ;
import java.io.File;
import java.util.Map;
import org.clipwsss.plugin.ClipWsss;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchSummary;
import org.clipwsss.runtime.batch.ImageOutcome;
import org.clipwsss.runtime.batch.ProgressListener;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/**
 * The pipeline over a folder: CAMs, masks and overlays for every image, resumable; Esc (or cancelling the
 * command) stops after the current image, leaving nothing half-written.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Batch Folder...")
public class BatchFolderCommand extends ContextCommand {
    @Parameter
    private LogService log;

    @Parameter
    private StatusService status;

    @Parameter(required = false)
    private UIService ui;

    @Parameter(label = "Input folder", style = "directory")
    private File input;

    @Parameter(label = "Labels", description = "A labels.csv (image,labels) or one label set for every image, e.g. nucleus")
    private String labels = "";

    @Parameter(label = "Output folder", style = "directory")
    private File output;

    @Parameter(label = "Class list (optional)", required = false, description = "One class per line; line index = mask value")
    private File classes;

    @Parameter(label = "Model", required = false)
    private String model = "";

    @Parameter(label = "CAM method", choices = {"clearclip", "maskclip", "gradcam", "clip-es", "onnx"})
    private String method = "clearclip";

    @Parameter(label = "CAM model (method onnx)", required = false, persist = false, description = "An ONNX CAM network with its JSON beside it")
    private File cammodel;

    @Parameter(label = "Synonyms")
    private String synonyms = "auto";

    @Parameter(label = "Background prompts")
    private String background = "clip-es";

    @Parameter(label = "Trained adapters (optional)", required = false, persist = false, style = "directory")
    private File adapters;

    @Parameter(label = "Attention affinity (gradcam, clip-es)", persist = false, choices = {"auto", "on", "off"})
    private String affinity = "auto";

    @Parameter(label = "Dense CRF (CLIP-ES's)", description = "Masks by CLIP-ES's fully connected CRF; pixels under 0.95 confidence become 255")
    private boolean crf;

    @Parameter(label = "Recompute images that are already done")
    private boolean overwrite;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    public void run() {
        CommandSupport.guard(this, "Batch Folder", log, ui, () -> {
            Map<String, String> more = new java.util.HashMap<>();
            if (classes != null) {
                more.put("classes", classes.getPath());
            }
            more.put("overwrite", Boolean.toString(overwrite));
            if (crf) {
                more.put("crf", "on");
            }
            BatchSummary s = ClipWsss.batch(input.getPath(), labels, output.getPath(),
                    CommandSupport.options(model, method, synonyms, background,
                            PipelineCommand.trained(cammodel, adapters, affinity, more)), new Progress());
            summary = s.oneLine();
            log.info("CLIP WSSS Batch Folder: " + summary);
            for (ImageOutcome f : s.failures()) {
                log.warn("  failed: " + f.image() + ": " + f.reason());
            }
            status.clearStatus();
            if (s.failure() != null) {
                throw new ClipWsssException(s.failure());
            }
        });
    }

    private final class Progress implements ProgressListener {
        @Override
        public void imageFinished(ImageOutcome o, int finished, int total) {
            status.showStatus(finished, total, "CLIP WSSS: " + o.image());
            if (o.status() == ImageOutcome.Status.FAILED) {
                log.warn("CLIP WSSS: failed " + o.image() + ": " + o.reason());
            }
        }

        @Override
        public boolean cancelRequested() {
            return isCanceled() || Thread.currentThread().isInterrupted() || IJ.escapePressed();
        }
    }
}
