package org.clipwsss.runtime.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.PreprocessConfig;
import org.clipwsss.runtime.model.ClipConfig;

/**
 * A CLIP model folder in the Hugging Face layout: config.json, preprocessor_config.json, a tokenizer, and
 * onnx/vision_model.onnx + onnx/text_model.onnx (or their _fp16/_quantized variants) and/or
 * model.safetensors.
 */
public final class ModelFolder {
    /** Suffixes of ONNX variants in the order AUTO tries them. */
    static final List<String> VARIANTS = List.of("", "_fp16", "_quantized");

    private final Path dir;
    private final ClipConfig config;
    private final Path vision;
    private final Path text;
    private final Path safetensors;

    private ModelFolder(Path dir, ClipConfig config, Path vision, Path text, Path safetensors) {
        this.dir = dir;
        this.config = config;
        this.vision = vision;
        this.text = text;
        this.safetensors = safetensors;
    }

    /**
     * Opens a folder.
     *
     * @param variant "auto" (plain, else fp16, else quantized), "fp32", "fp16" or "quantized"
     */
    public static ModelFolder open(Path dir, String variant) {
        if (!Files.isDirectory(dir)) {
            throw ClipWsssException.file(dir, Files.exists(dir) ? "not a folder (a CLIP model is a folder)"
                    : "model folder does not exist");
        }
        ClipConfig config = ClipConfig.load(dir.resolve("config.json"));
        Path st = dir.resolve("model.safetensors");
        Path vision = null;
        Path text = null;
        for (String suffix : suffixes(variant)) {
            Path v = dir.resolve("onnx/vision_model" + suffix + ".onnx");
            Path t = dir.resolve("onnx/text_model" + suffix + ".onnx");
            if (Files.isRegularFile(v) && Files.isRegularFile(t)) {
                vision = v;
                text = t;
                break;
            }
            if (Files.isRegularFile(v) != Files.isRegularFile(t)) {
                Path missing = Files.isRegularFile(v) ? t : v;
                throw ClipWsssException.file(missing, "missing (the ONNX export needs both vision_model"
                        + suffix + ".onnx and text_model" + suffix + ".onnx)");
            }
        }
        boolean hasSt = Files.isRegularFile(st);
        if (vision == null && !hasSt) {
            throw ClipWsssException.file(dir, "no model weights: needs onnx/vision_model.onnx + onnx/text_model.onnx "
                    + "(Optimum/transformers.js export, or its _fp16/_quantized variant) or model.safetensors");
        }
        return new ModelFolder(dir, config, vision, text, hasSt ? st : null);
    }

    private static List<String> suffixes(String variant) {
        switch (variant == null ? "auto" : variant) {
            case "auto":
                return VARIANTS;
            case "fp32":
                return List.of("");
            case "fp16":
                return List.of("_fp16");
            case "quantized":
                return List.of("_quantized");
            default:
                throw new ClipWsssException("unknown ONNX variant '" + variant + "' (use auto, fp32, fp16 or quantized)");
        }
    }

    public Path dir() {
        return dir;
    }

    public ClipConfig config() {
        return config;
    }

    public boolean hasOnnx() {
        return vision != null;
    }

    public boolean hasSafetensors() {
        return safetensors != null;
    }

    public Path visionOnnx() {
        return vision;
    }

    public Path textOnnx() {
        return text;
    }

    public Path safetensors() {
        if (safetensors == null) {
            throw ClipWsssException.file(dir.resolve("model.safetensors"), "missing (graphs built in Java, dense "
                    + "embeddings and prompt learning need the model's weights as model.safetensors)");
        }
        return safetensors;
    }

    public Path preprocessorConfig() {
        return dir.resolve("preprocessor_config.json");
    }

    /**
     * The folder's image preprocessing: preprocessor_config.json, or CLIP's defaults at the vision tower's
     * input size when the file is missing. The crop must match the tower's input size.
     */
    public ClipPreprocessor preprocessor() {
        Path file = preprocessorConfig();
        int size = config.vision().imageSize();
        PreprocessConfig pc = Files.isRegularFile(file) ? PreprocessConfig.load(file) : PreprocessConfig.clipDefaults(size);
        if (pc.cropHeight() != size || pc.cropWidth() != size) {
            throw ClipWsssException.file(file, "crop size " + pc.cropWidth() + "x" + pc.cropHeight()
                    + " does not match the vision tower's image_size " + size + " in config.json");
        }
        return new ClipPreprocessor(pc);
    }

    /** The source actually used for the encoders when {@code requested} is asked for. */
    public GraphSource resolve(GraphSource requested) {
        switch (requested) {
            case ONNX:
                if (!hasOnnx()) {
                    throw ClipWsssException.file(dir.resolve("onnx"), "no ONNX export (vision_model.onnx + "
                            + "text_model.onnx); use --source safetensors");
                }
                return GraphSource.ONNX;
            case SAFETENSORS:
                safetensors();
                return GraphSource.SAFETENSORS;
            default:
                return hasOnnx() ? GraphSource.ONNX : GraphSource.SAFETENSORS;
        }
    }
}
