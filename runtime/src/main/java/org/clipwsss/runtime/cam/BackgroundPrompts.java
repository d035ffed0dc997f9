package org.clipwsss.runtime.cam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.prompts.BackgroundWords;
import org.clipwsss.runtime.prompts.Templates;

/** Background prompt embeddings per class: what co-occurs with a class and should not count as it. */
public interface BackgroundPrompts {
    /** Unit-length embeddings for the class (possibly none). */
    float[][] embeddings(String classLabel);

    String description();

    static BackgroundPrompts none() {
        return new BackgroundPrompts() {
            @Override
            public float[][] embeddings(String classLabel) {
                return new float[0][];
            }

            @Override
            public String description() {
                return "none";
            }
        };
    }

    /** Words put into {@code template} and encoded with the text tower. */
    static BackgroundPrompts words(BackgroundWords words, String template, TextEmbeddings text) {
        return new BackgroundPrompts() {
            @Override
            public float[][] embeddings(String classLabel) {
                List<String> prompts = new ArrayList<>();
                for (String w : words.words(classLabel)) {
                    prompts.add(Templates.apply(template, w));
                }
                return text.get(prompts);
            }

            @Override
            public String description() {
                return words.description() + " in \"" + template + "\"";
            }
        };
    }

    /**
     * Learned prompt embeddings (SemPLeS): {@code npy} is [K,E] or [K,M,E] float32, {@code json} names the K
     * classes ({@code {"classes": [...]}}). Classes not in the file get none.
     */
    static BackgroundPrompts learned(Path npy, Path json) {
        NpyArray a = Npy.read(npy);
        long[] s = a.shape();
        if (a.dtype() != NpyArray.DType.FLOAT32 || (s.length != 2 && s.length != 3)) {
            throw ClipWsssException.file(npy, "learned prompt embeddings must be float32 [K,E] or [K,M,E], not "
                    + a.dtype() + " " + java.util.Arrays.toString(s));
        }
        List<String> classes = new ArrayList<>();
        try {
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            JsonNode c = root == null ? null : root.get("classes");
            if (c == null || !c.isArray()) {
                throw ClipWsssException.file(json, "needs a \"classes\" array naming the rows of " + npy.getFileName());
            }
            c.forEach(n -> classes.add(n.asText()));
        } catch (IOException e) {
            throw ClipWsssException.file(json, "not readable JSON (" + e.getMessage() + ")", e);
        }
        if (classes.size() != s[0]) {
            throw ClipWsssException.file(json, classes.size() + " classes named but " + npy.getFileName() + " has "
                    + s[0] + " rows");
        }
        int m = s.length == 3 ? (int) s[1] : 1;
        int e = (int) s[s.length - 1];
        float[] f = a.floats();
        Map<String, float[][]> byClass = new HashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            float[][] rows = new float[m][];
            for (int j = 0; j < m; j++) {
                int off = (k * m + j) * e;
                rows[j] = Similarity.normalizeRows(java.util.Arrays.copyOfRange(f, off, off + e), e);
            }
            byClass.put(classes.get(k).toLowerCase(Locale.ROOT).trim(), rows);
        }
        String desc = "learned " + npy.getFileName() + " (" + classes.size() + " classes x " + m + ")";
        return new BackgroundPrompts() {
            @Override
            public float[][] embeddings(String classLabel) {
                return byClass.getOrDefault(classLabel.toLowerCase(Locale.ROOT).trim(), new float[0][]);
            }

            @Override
            public String description() {
                return desc;
            }
        };
    }
}
