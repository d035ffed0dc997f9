package org.clipwsss.cli;

import java.nio.file.Path;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import picocli.CommandLine.Option;

/** The pipeline's options, shared by cam and segment (a picocli mixin). */
public final class PipelineOptions {
    private static final PipelineSettings D = PipelineSettings.defaults();

    @Option(names = "--method", defaultValue = "clearclip", paramLabel = "clearclip|maskclip|onnx|gradcam|clip-es",
            description = "CAM source (default: ${DEFAULT-VALUE}); clip-es is CLIP-ES's own method (its logit scale, names,"
                    + " background words and template; no POLE selection or refinement unless asked; affinity unless --no-affinity).")
    String method;

    @Option(names = "--cam-model", paramLabel = "FILE.onnx", description = "ONNX CAM network for --method onnx (JSON beside it).")
    Path camModel;

    @Option(names = "--synonyms", paramLabel = "LIST|FILE|none",
            description = "POLE synonym candidates: a bundled list name, a JSON/CSV file, or none (default: gpt_prompts; none with --method clip-es).")
    String synonyms;

    @Option(names = "--synonym-mode", defaultValue = "image", paramLabel = "image|dataset",
            description = "Choose the name per image (POLE's default) or once per dataset.")
    String synonymMode;

    @Option(names = "--background", defaultValue = "clip-es", paramLabel = "clip-es|clims|clims-camera-ready|FILE|none",
            description = "Background prompts: a bundled word list, a word file, learned embeddings (.npy + .json), or none.")
    String background;

    @Option(names = "--template", paramLabel = "T", description = "CAM prompt template (default: \"a clean origami {}.\").")
    String template = D.camTemplate();

    @Option(names = "--selection-template", paramLabel = "T", description = "Synonym selection template (default: \"a photo of {}.\").")
    String selectionTemplate = D.selectionTemplate();

    @Option(names = "--logit-scale", paramLabel = "S", description = "Softmax scale for CLIP scores (default: 100).")
    float logitScale = D.logitScale();

    @Option(names = "--refine-exponent", paramLabel = "E", description = "Exponent of the background refinement (0: off; default 1, 0 with --method clip-es).")
    Float refineExponent;

    @Option(names = "--bg-threshold", paramLabel = "T", description = "Constant background score for masks (default: CLIP-ES's (1-max)^power).")
    float bgThreshold = D.bgThreshold();

    @Option(names = "--bg-power", paramLabel = "K", description = "k of the (1 - max)^k background score (default 1).")
    float bgPower = D.bgPower();

    @Option(names = "--ignore-margin", paramLabel = "M", description = "Mark pixels 255 where the best score wins by less than M (default 0: off).")
    float ignoreMargin = D.ignoreMargin();

    @Option(names = "--input-size", paramLabel = "N", description = "Dense tower input size; larger than the model's runs a bigger patch grid (needs model.safetensors).")
    int inputSize = D.inputSize();

    @Option(names = "--overlap", paramLabel = "F", description = "Sliding-window overlap fraction (default 1/3).")
    double overlap = D.windowOverlap();

    @Option(names = "--max-windows", paramLabel = "N", description = "Most windows along an image's long side (default 4).")
    int maxWindows = D.maxWindows();

    @Option(names = "--adapters", paramLabel = "DIR", description = "Trained POLE adapters (train-adapters' output) for synonym selection and refinement.")
    Path adapters;

    @Option(names = "--affinity", negatable = true, description = "With --method gradcam or clip-es: CLIP-ES's class-aware"
            + " attention-affinity refinement (default: on for clip-es, off for gradcam; --no-affinity switches it off).")
    Boolean affinity;

    @Option(names = "--grid", defaultValue = "image", paramLabel = "image|window",
            description = "clearclip, maskclip, gradcam: one patch grid over the whole image (any aspect, interpolated position"
                    + " embeddings) when it needs at most --grid-budget patches, else windows (default); or windows always.")
    String grid;

    @Option(names = "--grid-budget", paramLabel = "N", description = "Most patches of a whole-image grid (default: 2048).")
    int gridBudgetOption = PipelineSettings.DEFAULT_GRID_BUDGET;

    private int gridBudget() {
        return switch (grid) {
            case "image" -> gridBudgetOption;
            case "window" -> 0;
            default -> throw new org.clipwsss.runtime.ClipWsssException("--grid must be image or window, not '" + grid + "'");
        };
    }

    @Option(names = "--crf", description = "Pseudo masks by CLIP-ES's dense CRF (its settings; background (1 - max)^--bg-power,"
            + " pixels under 0.95 confidence 255) instead of the argmax.")
    boolean crf;

    public PipelineSettings settings() {
        return new PipelineSettings(method, camModel, PipelineSettings.synonymsFor(method, synonyms), synonymMode, background, template,
                selectionTemplate, logitScale, PipelineSettings.refineFor(method, refineExponent), bgThreshold, bgPower, ignoreMargin,
                inputSize, overlap, maxWindows, adapters, PipelineSettings.affinityFor(method, affinity), gridBudget(), crf);
    }
}
