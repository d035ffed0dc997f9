package org.clipwsss.runtime.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;

/**
 * What the pipeline does with each image: CAM method, synonyms, background prompts, refinement and masks.
 * Immutable; {@code with...} methods return changed copies.
 */
public record PipelineSettings(
        /** clearclip | maskclip | onnx, or a method a {@link CamSourceProvider} offers (gradcam) */
        String method,
        /** the ONNX CAM model for method onnx */
        Path camModel,
        /** a bundled POLE list name (gpt_prompts, ...), a user file, or none */
        String synonyms,
        /** image (POLE's default) or dataset */
        String synonymMode,
        /** clip-es | clims | clims-camera-ready | none | a word file | learned embeddings (.npy with a .json beside) */
        String background,
        /** prompt template for CAMs and refinement */
        String camTemplate,
        /** prompt template for synonym selection */
        String selectionTemplate,
        float logitScale,
        /** exponent of the refinement factor; 0 switches refinement off */
        float refineExponent,
        /** background score: constant threshold when >= 0, else CLIP-ES's (1 - max)^power */
        float bgThreshold,
        float bgPower,
        /** pixels whose winning score beats the runner-up by less than this become 255 (0: off) */
        float ignoreMargin,
        /** dense tower input size (0: the model's; larger needs graphs built from safetensors) */
        int inputSize,
        double windowOverlap,
        int maxWindows,
        /** trained POLE adapters (a folder with adapters.safetensors, or the file) used in synonym selection and
         * refinement; null: none */
        Path adapters,
        /** gradcam and clip-es: CLIP-ES's class-aware attention-affinity refinement */
        boolean affinity,
        /**
         * clearclip, maskclip and gradcam: the most patches of a whole-image grid (the image at its own resolution,
         * small images brought up to the input size, rounded up to whole patches); an image needing more is covered
         * by windows. 0: windows always ({@code --grid window}).
         */
        int gridBudget,
        /**
         * pseudo masks by CLIP-ES's dense CRF ({@link org.clipwsss.runtime.crf.ClipEsCrf}: background (1 - max)^bgPower,
         * pixels below 0.95 confidence 255) instead of the argmax of the background score and the CAMs
         */
        boolean crf) {

    /** The largest tower input side ({@code --input-size}), in pixels. */
    public static final int MAX_INPUT_SIZE = 4096;

    /** The default most patches of a whole-image grid (e.g. 720 x 720 pixels at 16-pixel patches). */
    public static final int DEFAULT_GRID_BUDGET = 2048;

    /** CLIP-ES's own method ({@code --method clip-es}). */
    public static final String CLIP_ES = "clip-es";
    /** The value of a setting left to the method ({@link #synonymsFor}, {@link #refineFor}, {@link #affinityFor}). */
    public static final String AUTO = "auto";

    /**
     * The synonym list when the user gave none (null or {@value #AUTO}): POLE's gpt_prompts, except for CLIP-ES's
     * method, which runs without POLE's selection unless asked.
     */
    public static String synonymsFor(String method, String given) {
        return given == null || given.isBlank() || given.equals(AUTO) ? (CLIP_ES.equals(method) ? "none" : "gpt_prompts") : given;
    }

    /** The refinement exponent when the user gave none: 1, except for CLIP-ES's method (0: off unless asked). */
    public static float refineFor(String method, Float given) {
        return given != null ? given : CLIP_ES.equals(method) ? 0f : 1f;
    }

    /** The attention affinity when the user gave no on/off: on for CLIP-ES's method (its refined maps), else off. */
    public static boolean affinityFor(String method, Boolean given) {
        return given != null ? given : CLIP_ES.equals(method);
    }

    public static PipelineSettings defaults() {
        return new PipelineSettings("clearclip", null, "gpt_prompts", "image", "clip-es", "a clean origami {}.",
                "a photo of {}.", 100f, 1f, -1f, 1f, 0f, 0, 1.0 / 3, 4, null, false, DEFAULT_GRID_BUDGET, false);
    }

    public PipelineSettings {
        if (!CamSourceProvider.BUILT_IN.contains(method) && !CamSourceProvider.providers().containsKey(method)) {
            throw new ClipWsssException("unknown CAM method '" + method + "' (use one of "
                    + String.join(", ", CamSourceProvider.methods()) + ")");
        }
        if (method.equals("onnx") && camModel == null) {
            throw new ClipWsssException("method onnx needs a CAM model (--cam-model FILE.onnx)");
        }
        if (!java.util.List.of("image", "dataset").contains(synonymMode)) {
            throw new ClipWsssException("unknown synonym mode '" + synonymMode + "' (use image or dataset)");
        }
        // written so that NaN fails every test (a comparison with NaN is false)
        if (!(logitScale > 0 && logitScale < Float.POSITIVE_INFINITY) || !(refineExponent >= 0 && refineExponent < 1e6)
                || !(bgPower >= 0 && bgPower < 1e6) || !(ignoreMargin >= 0 && ignoreMargin <= 1) || !(windowOverlap >= 0 && windowOverlap < 1)
                || maxWindows < 1 || maxWindows > 64 || inputSize < 0 || inputSize > MAX_INPUT_SIZE || Float.isNaN(bgThreshold)) {
            throw new ClipWsssException("invalid pipeline settings (logit scale " + logitScale + ", refine exponent " + refineExponent
                    + ", background power " + bgPower + ", ignore margin " + ignoreMargin + ", overlap " + windowOverlap + ", max windows "
                    + maxWindows + ", input size " + inputSize + ", background threshold " + bgThreshold + "): a finite logit scale > 0,"
                    + " exponents >= 0, a margin in [0,1], an overlap in [0,1), 1 to 64 windows and an input size of 0 to "
                    + MAX_INPUT_SIZE + " are needed, none of them NaN");
        }
        if (affinity && !method.equals("gradcam") && !method.equals(CLIP_ES)) {
            throw new ClipWsssException("the attention-affinity refinement is for methods gradcam and clip-es, not " + method);
        }
        if (gridBudget < 0) {
            throw new ClipWsssException("the grid budget must be >= 0 patches (0: windows), is " + gridBudget);
        }
        if (crf && bgThreshold >= 0) {
            throw new ClipWsssException("the CRF takes CLIP-ES's background score (1 - max)^power; a background threshold does not apply");
        }
        if (bgThreshold > 1) {
            throw new ClipWsssException("background threshold must be in [0,1], is " + bgThreshold);
        }
    }

    /** Whether the CAMs are the built-in training-free CLIP ones (clearclip or maskclip). */
    public boolean clipCams() {
        return method.equals("clearclip") || method.equals("maskclip");
    }

    public boolean synonymsOn() {
        return !synonyms.equals("none");
    }

    public PipelineSettings withMethod(String m, Path model) {
        return new PipelineSettings(m, model, synonyms, synonymMode, background, camTemplate, selectionTemplate,
                logitScale, refineExponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows, adapters, affinity, gridBudget, crf);
    }

    public PipelineSettings withSynonyms(String list, String mode) {
        return new PipelineSettings(method, camModel, list, mode, background, camTemplate, selectionTemplate,
                logitScale, refineExponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows, adapters, affinity, gridBudget, crf);
    }

    public PipelineSettings withBackground(String bg, float exponent) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, bg, camTemplate, selectionTemplate,
                logitScale, exponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows, adapters, affinity, gridBudget, crf);
    }

    public PipelineSettings withTemplates(String cam, String selection) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, background, cam, selection,
                logitScale, refineExponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows, adapters, affinity, gridBudget, crf);
    }

    public PipelineSettings withMasks(float threshold, float power, float margin) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, background, camTemplate, selectionTemplate,
                logitScale, refineExponent, threshold, power, margin, inputSize, windowOverlap, maxWindows, adapters, affinity, gridBudget, crf);
    }

    public PipelineSettings withDense(float scale, int size, double overlap, int windows) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, background, camTemplate, selectionTemplate,
                scale, refineExponent, bgThreshold, bgPower, ignoreMargin, size, overlap, windows, adapters, affinity, gridBudget, crf);
    }

    /** With whole-image grids up to {@code budget} patches (0: windows always). */
    public PipelineSettings withGrid(int budget) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, background, camTemplate, selectionTemplate,
                logitScale, refineExponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows, adapters,
                affinity, budget, crf);
    }

    /** With pseudo masks by CLIP-ES's dense CRF, or not. */
    public PipelineSettings withCrf(boolean on) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, background, camTemplate, selectionTemplate,
                logitScale, refineExponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows, adapters,
                affinity, gridBudget, on);
    }

    /** With trained adapters ({@code dir}: null for none) and the Grad-CAM affinity refinement on or off. */
    public PipelineSettings withTrained(Path dir, boolean attentionAffinity) {
        return new PipelineSettings(method, camModel, synonyms, synonymMode, background, camTemplate, selectionTemplate,
                logitScale, refineExponent, bgThreshold, bgPower, ignoreMargin, inputSize, windowOverlap, maxWindows,
                dir, attentionAffinity, gridBudget, crf);
    }

    /** For run.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("cam_model", camModel == null ? null : camModel.toString());
        m.put("synonyms", synonyms);
        m.put("synonym_mode", synonymMode);
        m.put("background", background);
        m.put("cam_template", camTemplate);
        m.put("selection_template", selectionTemplate);
        m.put("logit_scale", logitScale);
        m.put("refine_exponent", refineExponent);
        m.put("background_score", bgThreshold >= 0 ? "threshold " + bgThreshold : "(1 - max)^" + bgPower);
        m.put("ignore_margin", ignoreMargin);
        m.put("input_size", inputSize);
        m.put("window_overlap", windowOverlap);
        m.put("max_windows", maxWindows);
        m.put("crf", crf);
        m.put("grid", gridBudget == 0 ? "window" : "image up to " + gridBudget + " patches");
        m.put("adapters", adapters == null ? null : adapters.toString());
        m.put("affinity", affinity);
        return m;
    }
}
