package org.clipwsss.runtime.cam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.io.NpyArray;

/**
 * Unit-length text embeddings of prompts, computed once per distinct prompt per run (missing prompts of a
 * request are encoded together in one run call).
 */
public final class TextEmbeddings {
    /** Encodes texts into raw embeddings [N][E]. */
    public interface Encoder {
        float[][] encode(List<String> texts);
    }

    private static final int CHUNK = 256;
    private final Encoder encoder;
    private final Map<String, float[]> cache = new HashMap<>();
    private int encoded;

    public TextEmbeddings(Encoder encoder) {
        this.encoder = encoder;
    }

    public static TextEmbeddings of(ClipModel model) {
        return new TextEmbeddings(texts -> rows(model.textEmbeds(texts)));
    }

    /** Through trained POLE adapters: each raw text embedding passes the text adapter (then unit length). */
    public static TextEmbeddings of(ClipModel model, Adapters adapters) {
        return new TextEmbeddings(texts -> {
            NpyArray raw = model.textEmbeds(texts);
            return rows(NpyArray.ofFloats(adapters.adaptTextRows(raw.toFloats()), raw.shape()));
        });
    }

    static float[][] rows(NpyArray a) {
        int n = (int) a.shape()[0];
        int e = (int) a.shape()[1];
        float[] f = a.floats();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(f, i * e, (i + 1) * e);
        }
        return out;
    }

    /** Unit-length embeddings of the prompts, in order. */
    public synchronized float[][] get(List<String> prompts) {
        List<String> missing = new ArrayList<>(new LinkedHashSet<>(prompts));
        missing.removeIf(cache::containsKey);
        for (int start = 0; start < missing.size(); start += CHUNK) {
            List<String> chunk = missing.subList(start, Math.min(missing.size(), start + CHUNK));
            float[][] raw = encoder.encode(chunk);
            for (int i = 0; i < chunk.size(); i++) {
                cache.put(chunk.get(i), Similarity.normalizeRows(raw[i], raw[i].length));
            }
            encoded += chunk.size();
        }
        float[][] out = new float[prompts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = cache.get(prompts.get(i));
        }
        return out;
    }

    public float[] get(String prompt) {
        return get(List.of(prompt))[0];
    }

    /** How many prompts have been encoded so far (each distinct prompt once). */
    public synchronized int encodedCount() {
        return encoded;
    }
}
