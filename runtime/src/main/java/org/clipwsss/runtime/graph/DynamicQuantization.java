package org.clipwsss.runtime.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Dynamic int8 quantization of a graph's weight matrix products, the pattern ONNX Runtime's own
 * {@code quantize_dynamic} writes (and fuses, at load time, into its integer MatMul kernels).
 *
 * <p>Each {@code MatMul(x, W)} whose second input is a constant weight W [in,out] (a rank-2 float initializer, or
 * {@code Transpose(W', perm=[1,0])} of one stored [out,in], as PyTorch stores Linear weights, or a chain of such
 * Transposes, as a gradient graph's {@code dy W^T} reads them: the transposes are folded into the quantized copy), and each {@code Gemm(x, W[, C])} with alpha = beta = 1 and transA = 0, becomes
 * <pre>
 *   DynamicQuantizeLinear(x)                  -> xq uint8, xs, xzp      (one per activation, shared by its products)
 *   MatMulInteger(xq, Wq int8 [in,out], xzp, wzp int8 0) -> int32
 *   Cast(to float) * Mul(xs, ws [out])        -> the original output
 * </pre>
 * with per-output-channel symmetric weights: {@code ws[c] = max|W[:,c]| / 127}, {@code Wq = round(W / ws)} in
 * [-127, 127] (round half to even), zero point 0; an all-zero channel gets scale 1. The full 8-bit range assumes a CPU
 * whose integer kernels do not saturate u8 x s8 pair sums (VNNI); ONNX Runtime's {@code reduce_range} is not applied.
 * A Gemm's bias C follows as an Add. Everything else stays float. The quantized values are computed when the graph
 * is written (the float weights are read lazily, as before), and float weights and transposes no longer used are
 * dropped.
 *
 * <p>{@code DynamicQuantizeLinear} takes one scale for its whole input tensor, so with batches the results for one
 * item depend (slightly) on the others in the batch, as with any dynamically quantized ONNX model.
 */
public final class DynamicQuantization {
    /** Largest magnitude of a quantized weight (symmetric range, -128 unused). */
    static final int QMAX = 127;

    private final Graph graph;
    private final Predicate<String> quantizeWeight;
    private final Set<String> used = new HashSet<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Initializer> initializers;
    /** activation value -> {quantized, scale, zero point} */
    private final Map<String, String[]> activations = new HashMap<>();
    /** weight name (+ "^T" when read transposed) -> {quantized [in,out], scales [out]} */
    private final Map<String, String[]> weights = new HashMap<>();
    /** float weights and Transpose nodes that were replaced (dropped when nothing else uses them). */
    private final Set<String> replacedWeights = new HashSet<>();
    private final Set<Node> replacedTransposes = new HashSet<>();
    private String zeroPoint;
    private int count;

    private DynamicQuantization(Graph graph, Predicate<String> quantizeWeight) {
        this.graph = graph;
        this.quantizeWeight = quantizeWeight;
        this.initializers = new LinkedHashMap<>(graph.initializers());
        graph.inputs().forEach(v -> used.add(v.name()));
        used.addAll(graph.initializers().keySet());
        for (Node n : graph.nodes()) {
            used.add(n.name());
            for (String o : n.outputs()) {
                used.add(o);
                producers.put(o, n);
            }
        }
    }

    /** The graph with every weight MatMul/Gemm quantized. */
    public static Graph apply(Graph graph) {
        return apply(graph, name -> true);
    }

    /** The graph with the MatMul/Gemm products whose weight's initializer name passes {@code quantizeWeight} quantized. */
    public static Graph apply(Graph graph, Predicate<String> quantizeWeight) {
        return new DynamicQuantization(graph, quantizeWeight).run();
    }

    /** A weight product found in the graph: the activation, the weight initializer, and how it is read. */
    private record Match(String activation, Initializer weight, boolean transposed, List<Node> transposes, String bias) { }

    private Graph run() {
        for (Node n : graph.nodes()) {
            Match m = match(n);
            if (m == null) {
                nodes.add(n);
            } else {
                replace(n, m);
            }
        }
        if (count == 0) {
            return graph;
        }
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), prune(), prunedInitializers());
    }

    private Match match(Node n) {
        if (n.op().equals("MatMul") && n.inputs().size() == 2) {
            return weightOf(n.inputs().get(0), n.inputs().get(1), false, null);
        }
        if (n.op().equals("Gemm") && n.inputs().size() >= 2 && n.intAttr("transA", 0) == 0
                && n.floatAttr("alpha", 1f) == 1f && n.floatAttr("beta", 1f) == 1f) {
            String bias = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() ? n.inputs().get(2) : null;
            return weightOf(n.inputs().get(0), n.inputs().get(1), n.intAttr("transB", 0) != 0, bias);
        }
        return null;
    }

    /**
     * The weight behind {@code b}: an initializer, or a chain of [1,0] Transposes of one (a gradient graph's
     * {@code dy W^T} reads the transpose of a transpose of a weight stored [out,in]), or null.
     */
    private Match weightOf(String a, String b, boolean transposed, String bias) {
        List<Node> chain = new ArrayList<>();
        String v = b;
        boolean t = transposed;
        while (!initializers.containsKey(v)) {
            Node p = producers.get(v);
            if (p == null || !p.op().equals("Transpose") || p.inputs().size() != 1
                    || !Arrays.equals(p.intsAttr("perm"), new long[] {1, 0})) {
                return null;
            }
            chain.add(p);
            v = p.inputs().get(0);
            t = !t;
        }
        Initializer w = initializers.get(v);
        if (w.type() != ElemType.FLOAT || w.shape().length != 2 || w.elementCount() == 0
                || !quantizeWeight.test(w.name())) {
            return null;
        }
        return new Match(a, w, t, chain, bias);
    }

    private void replace(Node n, Match m) {
        count++;
        String out = n.output();
        String[] x = activations.computeIfAbsent(m.activation(), a -> {
            String[] q = {fresh(a + "_quantized"), fresh(a + "_scale"), fresh(a + "_zero_point")};
            nodes.add(new Node(fresh("DynamicQuantizeLinear_" + a), "DynamicQuantizeLinear", List.of(a), List.of(q), Map.of()));
            return q;
        });
        String[] w = weights.computeIfAbsent(m.weight().name() + (m.transposed() ? "^T" : ""), k -> addWeight(m));
        if (zeroPoint == null) {
            zeroPoint = fresh("weight_zero_point");
            initializers.put(zeroPoint, Initializer.bytes(zeroPoint, ElemType.INT8, new byte[1]));
        }
        String integer = fresh(out + "_int32");
        String asFloat = fresh(out + "_float");
        String scale = fresh(out + "_scale");
        String product = m.bias() == null ? out : fresh(out + "_product");
        String base = n.name();
        nodes.add(node(base + "_MatMulInteger", "MatMulInteger", List.of(x[0], w[0], x[2], zeroPoint), integer, Map.of()));
        nodes.add(node(base + "_Cast", "Cast", List.of(integer), asFloat,
                Map.of("to", new Attribute.Int(ElemType.FLOAT.onnxCode()))));
        // the scales' product first (activation scale, weight scales), then the product: the form ONNX Runtime fuses
        nodes.add(node(base + "_scales", "Mul", List.of(x[1], w[1]), scale, Map.of()));
        nodes.add(node(base + "_rescale", "Mul", List.of(asFloat, scale), product, Map.of()));
        if (m.bias() != null) {
            nodes.add(node(base + "_bias", "Add", List.of(product, m.bias()), out, Map.of()));
        }
        replacedWeights.add(m.weight().name());
        replacedTransposes.addAll(m.transposes());
    }

    private Node node(String name, String op, List<String> in, String out, Map<String, Attribute> attrs) {
        return new Node(fresh(name), op, in, List.of(out), attrs);
    }

    /** Adds the int8 weight [in,out] and its per-column scales [out] (computed lazily from the float weight). */
    private String[] addWeight(Match m) {
        Initializer f = m.weight();
        long[] s = f.shape();
        int in = Math.toIntExact(m.transposed() ? s[1] : s[0]);
        int outs = Math.toIntExact(m.transposed() ? s[0] : s[1]);
        String stem = f.name() + (m.transposed() ? "_transposed" : "");
        Quantized q = new Quantized(f, in, outs, m.transposed());
        String qName = fresh(stem + "_quantized");
        String sName = fresh(stem + "_scale");
        initializers.put(qName, Initializer.lazyBytes(qName, ElemType.INT8, q::takeValues, in, outs));
        initializers.put(sName, Initializer.lazyFloats(sName, q::takeScales, outs));
        return new String[] {qName, sName};
    }

    /** Nodes without the replaced Transposes that nothing reads any more (a chain's inner ones once its outer one goes). */
    private List<Node> prune() {
        List<Node> kept = nodes;
        while (true) {
            Set<String> read = reads(kept);
            List<Node> next = new ArrayList<>();
            for (Node n : kept) {
                if (!replacedTransposes.contains(n) || read.contains(n.output())) {
                    next.add(n);
                }
            }
            if (next.size() == kept.size()) {
                return next;
            }
            kept = next;
        }
    }

    /** Initializers without the replaced float weights that nothing reads any more. */
    private Map<String, Initializer> prunedInitializers() {
        Set<String> read = reads(prune());
        Map<String, Initializer> kept = new LinkedHashMap<>();
        initializers.forEach((k, v) -> {
            if (!replacedWeights.contains(k) || read.contains(k)) {
                kept.put(k, v);
            }
        });
        return kept;
    }

    private Set<String> reads(List<Node> ns) {
        Set<String> read = new HashSet<>();
        ns.forEach(n -> read.addAll(n.inputs()));
        graph.outputs().forEach(v -> read.add(v.name()));
        return read;
    }

    private String fresh(String hint) {
        String candidate = hint;
        int i = 1;
        while (used.contains(candidate)) {
            candidate = hint + "_" + i++;
        }
        used.add(candidate);
        return candidate;
    }

    /**
     * Per-column symmetric int8 quantization of a weight: {@code values} [in,out] row-major (the transpose folded in
     * when the weight is stored [out,in]) and {@code scales} [out]. Public for tests and tools.
     */
    public record Weights(byte[] values, float[] scales) { }

    /** Quantizes {@code w}, stored [in,out] ({@code transposed} false) or [out,in] (true), per output column. */
    public static Weights quantize(float[] w, int in, int out, boolean transposed) {
        if (w.length != (long) in * out) {
            throw new IllegalArgumentException(w.length + " values for a " + in + "x" + out + " weight");
        }
        float[] scales = new float[out];
        for (int i = 0; i < in; i++) {
            for (int c = 0; c < out; c++) {
                float v = Math.abs(w[transposed ? c * in + i : i * out + c]);
                if (v > scales[c] || Float.isNaN(v)) {
                    scales[c] = v;
                }
            }
        }
        for (int c = 0; c < out; c++) {
            if (!Float.isFinite(scales[c])) {
                throw new IllegalArgumentException("weight column " + c + " is not finite; it cannot be quantized");
            }
            scales[c] = scales[c] == 0 ? 1f : scales[c] / QMAX;
        }
        byte[] q = new byte[w.length];
        for (int i = 0; i < in; i++) {
            for (int c = 0; c < out; c++) {
                double v = Math.rint(w[transposed ? c * in + i : i * out + c] / (double) scales[c]);
                q[i * out + c] = (byte) Math.max(-QMAX, Math.min(QMAX, v));
            }
        }
        return new Weights(q, scales);
    }

    /**
     * One weight's quantization, computed when the first of its two initializers is written and kept until the other
     * has been taken too, so the float weight is read once per write and nothing is held after it.
     */
    private static final class Quantized {
        private final Initializer source;
        private final int in;
        private final int out;
        private final boolean transposed;
        private byte[] values;
        private float[] scales;

        Quantized(Initializer source, int in, int out, boolean transposed) {
            this.source = source;
            this.in = in;
            this.out = out;
            this.transposed = transposed;
        }

        synchronized byte[] takeValues() {
            if (values == null) {
                compute();
            }
            byte[] v = values;
            values = null;
            return v;
        }

        synchronized float[] takeScales() {
            if (scales == null) {
                compute();
            }
            float[] s = scales;
            scales = null;
            return s;
        }

        private void compute() {
            Weights w = quantize(source.floatValues(), in, out, transposed);
            values = w.values();
            scales = w.scales();
        }
    }
}
