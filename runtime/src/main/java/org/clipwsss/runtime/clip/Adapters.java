package org.clipwsss.runtime.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.io.SafetensorsWriter;

/**
 * POLE's image and text adapters (CLIP-Adapter style), applied in plain Java. Each adapter is
 * {@code A(f) = ReLU(W2 ReLU(W1 f))} with {@code W1 [H,E]}, {@code W2 [E,H]} (torch.nn.Linear layout
 * {@code [out, in]}, no biases, H = E/4), and the adapted embedding is
 * {@code f' = normalise(r * A(f) + (1 - r) * f)} with a learnable scalar ratio r.
 *
 * <p>Files: {@code adapters.safetensors} holds {@code image_adapter.fc1.weight} [H,E],
 * {@code image_adapter.fc2.weight} [E,H], {@code image_adapter.ratio} [1] and the same three under
 * {@code text_adapter.}; {@code adapters.json} holds {@code embed_dim}, {@code hidden} and the training settings.
 * Immutable; the arrays handed in are copied.
 */
public final class Adapters {
    public static final String WEIGHTS = "adapters.safetensors";
    public static final String META = "adapters.json";
    /** The parameter tensors, in the order of {@link #flat()}. */
    public static final List<String> NAMES = List.of("image_adapter.fc1.weight", "image_adapter.fc2.weight", "image_adapter.ratio",
            "text_adapter.fc1.weight", "text_adapter.fc2.weight", "text_adapter.ratio");
    /** Initial ratio r, as POLE (CLIP-Adapter's residual ratio 0.2). */
    public static final float INITIAL_RATIO = 0.2f;

    private final int dim;
    private final int hidden;
    private final float[] params;

    private Adapters(int dim, int hidden, float[] params) {
        if (dim < 1 || hidden < 1) {
            throw new ClipWsssException("adapters need embed_dim >= 1 and hidden >= 1, have " + dim + " and " + hidden);
        }
        if (params.length != size(dim, hidden)) {
            throw new ClipWsssException("adapters [E=" + dim + ", H=" + hidden + "] need " + size(dim, hidden) + " values, have " + params.length);
        }
        this.dim = dim;
        this.hidden = hidden;
        this.params = params.clone();
    }

    /** The hidden width POLE uses for embedding width {@code dim}: E/4. */
    public static int hiddenFor(int dim) {
        if (dim < 4) {
            throw new ClipWsssException("embedding width " + dim + " is too small for adapters (E/4 hidden units)");
        }
        return dim / 4;
    }

    /** Number of values of all six tensors together. */
    public static int size(int dim, int hidden) {
        return 2 * (2 * hidden * dim + 1);
    }

    /** Shapes of the tensors of {@link #NAMES}. */
    public static Map<String, long[]> shapes(int dim, int hidden) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String side : List.of("image_adapter.", "text_adapter.")) {
            m.put(side + "fc1.weight", new long[] {hidden, dim});
            m.put(side + "fc2.weight", new long[] {dim, hidden});
            m.put(side + "ratio", new long[] {1});
        }
        return m;
    }

    /**
     * Fresh adapters as torch.nn.Linear initialises its weights (kaiming_uniform_ with a = sqrt(5), i.e.
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in))), drawn from {@code SplittableRandom(seed)} tensor by tensor in
     * {@link #NAMES} order, row-major; ratios {@link #INITIAL_RATIO}.
     */
    public static Adapters init(int dim, int hidden, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] p = new float[size(dim, hidden)];
        int off = 0;
        for (Map.Entry<String, long[]> e : shapes(dim, hidden).entrySet()) {
            long[] s = e.getValue();
            if (s.length == 1) {
                p[off++] = INITIAL_RATIO;
                continue;
            }
            double bound = 1 / Math.sqrt(s[1]);
            for (int i = 0; i < s[0] * s[1]; i++) {
                p[off++] = (float) rnd.nextDouble(-bound, bound);
            }
        }
        return new Adapters(dim, hidden, p);
    }

    /** From the flat buffer of {@link #flat()}. */
    public static Adapters fromFlat(int dim, int hidden, float[] flat) {
        return new Adapters(dim, hidden, flat);
    }

    /** From named tensors ({@link #NAMES}, shapes checked); {@code source} names the file in errors. */
    public static Adapters fromTensors(Map<String, NpyArray> tensors, Path source) {
        NpyArray fc1 = tensors.get(NAMES.get(0));
        if (fc1 == null || fc1.ndim() != 2) {
            throw ClipWsssException.file(source, "holds no " + NAMES.get(0) + " [H,E]");
        }
        int hidden = (int) fc1.shape()[0];
        int dim = (int) fc1.shape()[1];
        float[] p = new float[size(dim, hidden)];
        int off = 0;
        for (Map.Entry<String, long[]> e : shapes(dim, hidden).entrySet()) {
            NpyArray a = tensors.get(e.getKey());
            if (a == null || !java.util.Arrays.equals(a.shape(), e.getValue())) {
                throw ClipWsssException.file(source, "needs " + e.getKey() + " " + java.util.Arrays.toString(e.getValue())
                        + ", has " + (a == null ? "none" : java.util.Arrays.toString(a.shape())));
            }
            float[] v = a.toFloats();
            System.arraycopy(v, 0, p, off, v.length);
            off += v.length;
        }
        return new Adapters(dim, hidden, p);
    }

    /**
     * Reads {@code adapters.safetensors} (and checks it against {@code adapters.json} when present) in {@code dir};
     * {@code dir} may also name the .safetensors file itself.
     */
    public static Adapters load(Path dir) {
        if (Files.isRegularFile(dir)) {
            dir = dir.toAbsolutePath().getParent();
        }
        Path file = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw ClipWsssException.file(file, "not found (train adapters with train-adapters first)");
        }
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (String name : st.names()) {
                tensors.put(name, st.readArray(name));
            }
        }
        Adapters a = fromTensors(tensors, file);
        Path meta = dir.resolve(META);
        if (Files.isRegularFile(meta)) {
            JsonNode m;
            try {
                m = new ObjectMapper().readTree(meta.toFile());
            } catch (IOException e) {
                throw ClipWsssException.file(meta, "corrupt (" + e.getMessage() + ")", e);
            }
            if (m == null || m.path("embed_dim").asInt(-1) != a.dim || m.path("hidden").asInt(-1) != a.hidden) {
                throw ClipWsssException.file(meta, "does not match " + WEIGHTS + " (E=" + a.dim + ", H=" + a.hidden + ")");
            }
        }
        return a;
    }

    /** Writes {@code adapters.safetensors} and {@code adapters.json} ({@code embed_dim}, {@code hidden}, then {@code settings}). */
    public void save(Path dir, Map<String, ?> settings) {
        SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors(), Map.of("format", "clip-wsss pole adapters"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = json.createObjectNode();
        meta.put("format", "clip-wsss pole adapters");
        meta.put("embed_dim", dim);
        meta.put("hidden", hidden);
        meta.put("formula", "f' = normalise(r * relu(W2 relu(W1 f)) + (1 - r) * f), W [out,in], no biases");
        settings.forEach((k, v) -> meta.set(k, json.valueToTree(v)));
        try {
            AtomicFiles.writeString(dir.resolve(META), json.writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n");
        } catch (IOException e) {
            throw ClipWsssException.file(dir.resolve(META), "cannot write (" + e.getMessage() + ")", e);
        }
    }

    public int dim() {
        return dim;
    }

    public int hidden() {
        return hidden;
    }

    /** All six tensors concatenated in {@link #NAMES} order (a copy). */
    public float[] flat() {
        return params.clone();
    }

    /** The six tensors by name. */
    public Map<String, NpyArray> tensors() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        int off = 0;
        for (Map.Entry<String, long[]> e : shapes(dim, hidden).entrySet()) {
            int n = (int) java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            m.put(e.getKey(), NpyArray.ofFloats(java.util.Arrays.copyOfRange(params, off, off + n), e.getValue()));
            off += n;
        }
        return m;
    }

    public float imageRatio() {
        return params[2 * hidden * dim];
    }

    public float textRatio() {
        return params[size(dim, hidden) - 1];
    }

    /** Adapted, L2-normalised image embeddings of {@code embeds} [N,E]. */
    public NpyArray adaptImage(NpyArray embeds) {
        return NpyArray.ofFloats(apply(embeds, 0), embeds.shape());
    }

    /** Adapted, L2-normalised text embeddings of {@code embeds} [N,E]. */
    public NpyArray adaptText(NpyArray embeds) {
        return NpyArray.ofFloats(apply(embeds, size(dim, hidden) / 2), embeds.shape());
    }

    /** Adapted, L2-normalised image embeddings of the rows of {@code rows} (N rows of E, flat). */
    public float[] adaptImageRows(float[] rows) {
        return apply(rows, 0);
    }

    /** Adapted, L2-normalised text embeddings of the rows of {@code rows} (N rows of E, flat). */
    public float[] adaptTextRows(float[] rows) {
        return apply(rows, size(dim, hidden) / 2);
    }

    private float[] apply(NpyArray embeds, int base) {
        long[] s = embeds.shape();
        if (s.length != 2 || s[1] != dim) {
            throw new ClipWsssException("adapters take embeddings [N," + dim + "], have " + java.util.Arrays.toString(s));
        }
        return apply(embeds.toFloats(), base);
    }

    private float[] apply(float[] f, int base) {
        if (f.length % dim != 0) {
            throw new ClipWsssException("adapters take rows of " + dim + " values, have " + f.length + " values");
        }
        int n = f.length / dim;
        int w1 = base;
        int w2 = base + hidden * dim;
        double r = params[base + 2 * hidden * dim];
        float[] out = new float[f.length];
        double[] h = new double[hidden];
        double[] y = new double[dim];
        for (int row = 0; row < n; row++) {
            int fo = row * dim;
            for (int j = 0; j < hidden; j++) {
                double acc = 0;
                for (int i = 0; i < dim; i++) {
                    acc += (double) params[w1 + j * dim + i] * f[fo + i];
                }
                h[j] = Math.max(0, acc);
            }
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                double acc = 0;
                for (int j = 0; j < hidden; j++) {
                    acc += (double) params[w2 + i * hidden + j] * h[j];
                }
                y[i] = r * Math.max(0, acc) + (1 - r) * f[fo + i];
                norm += y[i] * y[i];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int i = 0; i < dim; i++) {
                out[fo + i] = (float) (y[i] / norm);
            }
        }
        return out;
    }
}
