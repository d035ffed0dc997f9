package org.clipwsss.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.clipwsss.runtime.ClipWsssException;

/**
 * A Hugging Face {@code CLIPModel} {@code config.json}: the projection width and the two towers. Missing
 * keys take Hugging Face's defaults (those of openai/clip-vit-base-patch32); impossible values are errors.
 */
public record ClipConfig(int projectionDim, Tower text, Tower vision, float logitScaleInit) {

    /** One transformer tower. Text-only fields are 0 for the vision tower and vice versa. */
    public record Tower(int hiddenSize, int intermediateSize, int heads, int layers, String hiddenAct,
            float layerNormEps, int imageSize, int patchSize, int numChannels, int maxPositions, int vocabSize,
            int eosTokenId) {

        public int headDim() {
            return hiddenSize / heads;
        }

        /** Patches per side (vision). */
        public int grid() {
            return imageSize / patchSize;
        }

        /** Number of patch tokens (vision), without the class token. */
        public int patches() {
            return grid() * grid();
        }
    }

    public static ClipConfig load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw ClipWsssException.file(file, "missing (a CLIP model folder needs config.json)");
        } catch (IOException e) {
            throw ClipWsssException.file(file, "not valid JSON (" + oneLine(e) + ")", e);
        }
        return parse(root, file);
    }

    static ClipConfig parse(JsonNode root, Path file) {
        if (root == null || !root.isObject()) {
            throw ClipWsssException.file(file, "not a JSON object");
        }
        String type = root.path("model_type").asText("clip");
        if (!type.equals("clip")) {
            throw ClipWsssException.file(file, "model_type is '" + type + "', expected 'clip'");
        }
        JsonNode t = root.get("text_config");
        JsonNode v = root.get("vision_config");
        if (t == null || !t.isObject() || v == null || !v.isObject()) {
            throw ClipWsssException.file(file,
                    "needs nested 'text_config' and 'vision_config' objects (Hugging Face CLIPModel layout)");
        }
        int proj = positive(root, "projection_dim", 512, file);
        Tower text = new Tower(positive(t, "hidden_size", 512, file), positive(t, "intermediate_size", 2048, file),
                positive(t, "num_attention_heads", 8, file), positive(t, "num_hidden_layers", 12, file),
                t.path("hidden_act").asText("quick_gelu"), (float) t.path("layer_norm_eps").asDouble(1e-5),
                0, 0, 0, positive(t, "max_position_embeddings", 77, file), positive(t, "vocab_size", 49408, file),
                t.path("eos_token_id").asInt(2));
        Tower vision = new Tower(positive(v, "hidden_size", 768, file), positive(v, "intermediate_size", 3072, file),
                positive(v, "num_attention_heads", 12, file), positive(v, "num_hidden_layers", 12, file),
                v.path("hidden_act").asText("quick_gelu"), (float) v.path("layer_norm_eps").asDouble(1e-5),
                positive(v, "image_size", 224, file), positive(v, "patch_size", 32, file),
                positive(v, "num_channels", 3, file), 0, 0, 0);
        check(file, text.hiddenSize() % text.heads() == 0, "text_config.hidden_size " + text.hiddenSize()
                + " is not divisible by num_attention_heads " + text.heads());
        check(file, vision.hiddenSize() % vision.heads() == 0, "vision_config.hidden_size "
                + vision.hiddenSize() + " is not divisible by num_attention_heads " + vision.heads());
        check(file, vision.imageSize() % vision.patchSize() == 0, "vision_config.image_size "
                + vision.imageSize() + " is not a multiple of patch_size " + vision.patchSize());
        check(file, vision.numChannels() == 3, "vision_config.num_channels must be 3, is " + vision.numChannels());
        for (Tower tower : new Tower[] {text, vision}) {
            check(file, Activation.isKnown(tower.hiddenAct()), "hidden_act '" + tower.hiddenAct()
                    + "' is not supported (" + Activation.KNOWN + ")");
        }
        float scale = (float) root.path("logit_scale_init_value").asDouble(2.6592);
        return new ClipConfig(proj, text, vision, scale);
    }

    private static int positive(JsonNode node, String key, int fallback, Path file) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
            throw ClipWsssException.file(file, "'" + key + "' must be a positive integer, is " + n);
        }
        return n.asInt();
    }

    private static void check(Path file, boolean ok, String problem) {
        if (!ok) {
            throw ClipWsssException.file(file, problem);
        }
    }

    static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
