package org.clipwsss.plugin.commands;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scijava.plugin.Parameter;

/** The pipeline choices the CAM and mask commands share: CAM method and model, synonyms, background, adapters. */
abstract class PipelineCommand extends ImageCommand {
    @Parameter(label = "CAM method", choices = {"clearclip", "maskclip", "gradcam", "clip-es", "onnx"})
    protected String method = "clearclip";

    @Parameter(label = "CAM model (method onnx)", required = false, persist = false,
            description = "An ONNX CAM network with its JSON beside it, e.g. a trained mask_generator.onnx")
    protected File cammodel;

    @Parameter(label = "Synonyms", description = "auto (gpt_prompts; none for clip-es), a POLE list name (gpt_prompts, ...), a JSON/CSV file, or none")
    protected String synonyms = "auto";

    @Parameter(label = "Background prompts", description = "clip-es, clims, clims-camera-ready, a word file, learned .npy, or none")
    protected String background = "clip-es";

    @Parameter(label = "Trained adapters (optional)", required = false, persist = false, style = "directory",
            description = "A folder with adapters.safetensors (Train Adapters); used in synonym selection and refinement")
    protected File adapters;

    @Parameter(label = "Attention affinity (gradcam, clip-es)", persist = false, choices = {"auto", "on", "off"},
            description = "CLIP-ES's class-aware attention-affinity refinement; auto: on for clip-es, off for gradcam")
    protected String affinity = "auto";

    /** The macro-style options of these choices and {@code more}. */
    protected String pipelineOptions(Map<String, String> more) {
        return CommandSupport.options(model, method, synonyms, background, trained(cammodel, adapters, affinity, more));
    }

    /** {@code more} with the CAM model, adapters and affinity keys added where set. */
    static Map<String, String> trained(File camModel, File adapterDir, String affinity, Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(more);
        if (camModel != null) {
            m.put("cam_model", camModel.getPath());
        }
        if (adapterDir != null) {
            m.put("adapters", adapterDir.getPath());
        }
        if (affinity != null && !affinity.isBlank()) {
            m.put("affinity", affinity);
        }
        return m;
    }
}
