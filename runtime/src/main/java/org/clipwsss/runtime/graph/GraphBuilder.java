package org.clipwsss.runtime.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link Graph} op by op. Every op method returns the name of its (first) output value, so
 * graphs read like the maths: {@code g.add(x, g.matMul(h, w))}.
 */
public final class GraphBuilder {
    private final String name;
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Initializer> initializers = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    private String scope = "";

    public GraphBuilder(String name) {
        this.name = name;
    }

    /**
     * A builder that starts from {@code graph}: its inputs, outputs, nodes and initializers are kept, and
     * new nodes may use any of its values (to append a loss head, or a backward pass).
     */
    public static GraphBuilder extend(Graph graph) {
        GraphBuilder b = new GraphBuilder(graph.name());
        for (ValueInfo i : graph.inputs()) {
            b.claim(i.name());
            b.inputs.add(i);
        }
        graph.initializers().values().forEach(b::initializer);
        for (Node n : graph.nodes()) {
            n.outputs().stream().filter(o -> !o.isEmpty()).forEach(b::claim);
            b.nodes.add(n);
        }
        b.outputs.addAll(graph.outputs());
        return b;
    }

    // ---- structure -------------------------------------------------------------------------------

    public String input(String value, ElemType type, Object... dims) {
        claim(value);
        inputs.add(ValueInfo.of(value, type, dims));
        return value;
    }

    /** Declares {@code value} as a graph output under {@code outputName} (adds an Identity if they differ). */
    public void output(String value, String outputName, ElemType type, Object... dims) {
        String v = value;
        if (!value.equals(outputName)) {
            claim(outputName);
            nodes.add(new Node(outputName + "_identity", "Identity", List.of(value), List.of(outputName), Map.of()));
            v = outputName;
        }
        outputs.add(ValueInfo.of(v, type, dims));
    }

    public String initializer(Initializer init) {
        claim(init.name());
        initializers.put(init.name(), init);
        return init.name();
    }

    public String constant(String hint, float... values) {
        return initializer(Initializer.floats(fresh(hint), values, values.length == 1 ? new long[0]
                : new long[] {values.length}));
    }

    public String constantLongs(String hint, long... values) {
        return initializer(Initializer.longs(fresh(hint), values, values.length));
    }

    public boolean has(String value) {
        return names.contains(value);
    }

    /** Prefix for generated value names, e.g. "vision.layer3". */
    public void scope(String newScope) {
        this.scope = newScope;
    }

    /** A generic node with one output. */
    public String op(String op, List<String> in, Map<String, ?> attrs) {
        return op(op, in, attrs, 1).get(0);
    }

    /** A generic node with several outputs. */
    public List<String> op(String op, List<String> in, Map<String, ?> attrs, int outputCount) {
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            String o = fresh(op.toLowerCase(java.util.Locale.ROOT));
            claim(o);
            outs.add(o);
        }
        Map<String, Attribute> a = new LinkedHashMap<>();
        attrs.forEach((k, v) -> a.put(k, Attribute.of(v)));
        for (String i : in) {
            if (!i.isEmpty() && !names.contains(i)) {
                throw new IllegalArgumentException(op + ": unknown input value '" + i + "'");
            }
        }
        nodes.add(new Node(op + "_" + nodes.size(), op, in, outs, a));
        return outs;
    }

    public Graph build() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("graph " + name + " has no outputs");
        }
        return new Graph(name, inputs, outputs, nodes, initializers);
    }

    // ---- elementwise -----------------------------------------------------------------------------

    public String add(String a, String b) {
        return op("Add", List.of(a, b), Map.of());
    }

    public String sub(String a, String b) {
        return op("Sub", List.of(a, b), Map.of());
    }

    public String mul(String a, String b) {
        return op("Mul", List.of(a, b), Map.of());
    }

    public String div(String a, String b) {
        return op("Div", List.of(a, b), Map.of());
    }

    public String sigmoid(String x) {
        return op("Sigmoid", List.of(x), Map.of());
    }

    public String tanh(String x) {
        return op("Tanh", List.of(x), Map.of());
    }

    public String erf(String x) {
        return op("Erf", List.of(x), Map.of());
    }

    public String cast(String x, ElemType to) {
        return op("Cast", List.of(x), Map.of("to", (long) to.onnxCode()));
    }

    public String equal(String a, String b) {
        return op("Equal", List.of(a, b), Map.of());
    }

    // ---- linear algebra and normalisation ----------------------------------------------------------

    public String matMul(String a, String b) {
        return op("MatMul", List.of(a, b), Map.of());
    }

    public String softmax(String x, int axis) {
        return op("Softmax", List.of(x), Map.of("axis", (long) axis));
    }

    public String layerNorm(String x, String scale, String bias, float eps) {
        return op("LayerNormalization", List.of(x, scale, bias), Map.of("axis", -1L, "epsilon", eps));
    }

    // ---- shapes ----------------------------------------------------------------------------------

    public String reshape(String x, long... shape) {
        return op("Reshape", List.of(x, constantLongs("shape", shape)), Map.of());
    }

    public String reshapeTo(String x, String shape) {
        return op("Reshape", List.of(x, shape), Map.of());
    }

    public String transpose(String x, long... perm) {
        return op("Transpose", List.of(x), Map.of("perm", perm));
    }

    public String concat(int axis, String... parts) {
        return op("Concat", List.of(parts), Map.of("axis", (long) axis));
    }

    /** Slice along the given axes; {@code ends} may use Long.MAX_VALUE for "to the end". */
    public String slice(String x, long[] starts, long[] ends, long[] axes) {
        return op("Slice", List.of(x, constantLongs("starts", starts), constantLongs("ends", ends),
                constantLongs("axes", axes)), Map.of());
    }

    /** Slice with computed (value) starts/ends. */
    public String slice(String x, String starts, String ends, String axes) {
        return op("Slice", List.of(x, starts, ends, axes), Map.of());
    }

    public String gather(String data, String indices, int axis) {
        return op("Gather", List.of(data, indices), Map.of("axis", (long) axis));
    }

    public String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", List.of(x, constantLongs("axes", axes)), Map.of());
    }

    public String squeeze(String x, long... axes) {
        return op("Squeeze", List.of(x, constantLongs("axes", axes)), Map.of());
    }

    public String shape(String x) {
        return op("Shape", List.of(x), Map.of());
    }

    public String expand(String x, String shape) {
        return op("Expand", List.of(x, shape), Map.of());
    }

    public String argMax(String x, int axis, boolean keepDims) {
        return op("ArgMax", List.of(x), Map.of("axis", (long) axis, "keepdims", keepDims ? 1L : 0L));
    }

    // ---- names -----------------------------------------------------------------------------------

    /** An unused value name built from the current scope and a hint (not yet claimed). */
    public String fresh(String hint) {
        String base = scope.isEmpty() ? hint : scope + "/" + hint;
        String candidate = base;
        while (names.contains(candidate)) {
            candidate = base + "_" + counters.merge(base, 1, Integer::sum);
        }
        return candidate;
    }

    private void claim(String value) {
        if (!names.add(value)) {
            throw new IllegalArgumentException("value name used twice: " + value + " in graph " + name);
        }
    }

    @Override
    public String toString() {
        return "GraphBuilder[" + name + ", " + nodes.size() + " nodes, inputs " + Arrays.toString(inputs.toArray()) + "]";
    }
}
