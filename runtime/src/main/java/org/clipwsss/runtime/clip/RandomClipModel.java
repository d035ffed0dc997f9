package org.clipwsss.runtime.clip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsWriter;

/**
 * Writes a CLIP model folder (config.json, preprocessor_config.json, model.safetensors) with seeded random
 * weights at given shapes: for benchmarks at real model sizes (e.g. ViT-B/32) where no trained weights can
 * be downloaded. Speed does not depend on the values.
 */
public final class RandomClipModel {
    /** Tower widths and depths. */
    public record Shapes(int projection, int textWidth, int textLayers, int textHeads, int visionWidth, int visionLayers,
            int visionHeads, int imageSize, int patchSize) {
        /** OpenAI CLIP ViT-B/32. */
        public static Shapes vitB32() {
            return new Shapes(512, 512, 12, 8, 768, 12, 12, 224, 32);
        }

        /** OpenAI CLIP ViT-B/16. */
        public static Shapes vitB16() {
            return new Shapes(512, 512, 12, 8, 768, 12, 12, 224, 16);
        }
    }

    private RandomClipModel() {
    }

    public static Path write(Path dir, Shapes s, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, NpyArray> t = new LinkedHashMap<>();
        int g = s.imageSize() / s.patchSize();
        normal(t, rnd, "logit_scale", 0, 1);
        t.put("logit_scale", NpyArray.ofFloats(new float[] {(float) Math.log(100)}, 1));
        normal(t, rnd, "text_model.embeddings.token_embedding.weight", 0.02, 49408, s.textWidth());
        normal(t, rnd, "text_model.embeddings.position_embedding.weight", 0.01, 77, s.textWidth());
        tower(t, rnd, "text_model.encoder.layers.", s.textLayers(), s.textWidth());
        layerNorm(t, "text_model.final_layer_norm", s.textWidth());
        normal(t, rnd, "text_projection.weight", 0.02, s.projection(), s.textWidth());
        normal(t, rnd, "vision_model.embeddings.class_embedding", 0.02, s.visionWidth());
        normal(t, rnd, "vision_model.embeddings.patch_embedding.weight", 0.02, s.visionWidth(), 3, s.patchSize(), s.patchSize());
        normal(t, rnd, "vision_model.embeddings.position_embedding.weight", 0.01, 1 + g * g, s.visionWidth());
        layerNorm(t, "vision_model.pre_layrnorm", s.visionWidth());
        tower(t, rnd, "vision_model.encoder.layers.", s.visionLayers(), s.visionWidth());
        layerNorm(t, "vision_model.post_layernorm", s.visionWidth());
        normal(t, rnd, "visual_projection.weight", 0.02, s.projection(), s.visionWidth());
        String config = String.format(java.util.Locale.ROOT, "{\"model_type\": \"clip\", \"projection_dim\": %d,%n"
                + " \"text_config\": {\"hidden_size\": %d, \"intermediate_size\": %d, \"num_attention_heads\": %d,"
                + " \"num_hidden_layers\": %d, \"eos_token_id\": 49407},%n"
                + " \"vision_config\": {\"hidden_size\": %d, \"intermediate_size\": %d, \"num_attention_heads\": %d,"
                + " \"num_hidden_layers\": %d, \"image_size\": %d, \"patch_size\": %d}}%n",
                s.projection(), s.textWidth(), 4 * s.textWidth(), s.textHeads(), s.textLayers(), s.visionWidth(),
                4 * s.visionWidth(), s.visionHeads(), s.visionLayers(), s.imageSize(), s.patchSize());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ClipWsssException.file(dir, "cannot create (" + e.getMessage() + ")", e);
        }
        AtomicFiles.writeString(dir.resolve("config.json"), config);
        AtomicFiles.writeString(dir.resolve("preprocessor_config.json"), "{\"size\": {\"shortest_edge\": " + s.imageSize()
                + "}, \"crop_size\": " + s.imageSize() + "}\n");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt", "seed", Long.toString(seed)));
        return dir;
    }

    private static void tower(Map<String, NpyArray> t, SplittableRandom rnd, String prefix, int layers, int w) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i;
            layerNorm(t, p + ".layer_norm1", w);
            layerNorm(t, p + ".layer_norm2", w);
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                normal(t, rnd, p + ".self_attn." + proj + ".weight", 0.02, w, w);
                normal(t, rnd, p + ".self_attn." + proj + ".bias", 0.01, w);
            }
            normal(t, rnd, p + ".mlp.fc1.weight", 0.02, 4L * w, w);
            normal(t, rnd, p + ".mlp.fc1.bias", 0.01, 4L * w);
            normal(t, rnd, p + ".mlp.fc2.weight", 0.02, w, 4L * w);
            normal(t, rnd, p + ".mlp.fc2.bias", 0.01, w);
        }
    }

    private static void layerNorm(Map<String, NpyArray> t, String prefix, int w) {
        float[] ones = new float[w];
        java.util.Arrays.fill(ones, 1f);
        t.put(prefix + ".weight", NpyArray.ofFloats(ones, w));
        t.put(prefix + ".bias", NpyArray.ofFloats(new float[w], w));
    }

    private static void normal(Map<String, NpyArray> t, SplittableRandom rnd, String name, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            // Irwin-Hall approximation of a normal: fast and plenty for benchmark weights
            double u = rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 2;
            v[i] = (float) (u * std * Math.sqrt(3));
        }
        t.put(name, NpyArray.ofFloats(v, shape));
    }
}
