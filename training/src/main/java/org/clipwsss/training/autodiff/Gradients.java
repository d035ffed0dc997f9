package org.clipwsss.training.autodiff;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Node;

/**
 * Reverse-mode differentiation of a {@link Graph}: the result computes the forward outputs and, for each
 * value w asked for, an output {@code grad:<w>} = d scalar / d w with w's shape. Only nodes on a path
 * from a differentiated value to the scalar get backward ops; everything else (weights not asked for,
 * index arithmetic, masks) stays as it is.
 */
public final class Gradients {
    /** Prefix of the gradient outputs. */
    public static final String PREFIX = "grad:";

    /** Ops whose outputs carry no gradient (integer, boolean or shape results). */
    private static final Set<String> NOT_DIFFERENTIABLE = Set.of("Shape", "Size", "Equal", "Greater", "Less",
            "GreaterOrEqual", "LessOrEqual", "And", "Or", "Not", "ArgMax", "ArgMin", "NonZero", "ConstantOfShape");

    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        ElementwiseRules.register(RULES);
        LinearRules.register(RULES);
        ShapeRules.register(RULES);
    }

    private Gradients() {
    }

    public static String gradName(String value) {
        return PREFIX + value;
    }

    /** As {@link #of(Graph, String, Collection, Map)} for a graph whose inputs all have numeric dims. */
    public static Graph of(Graph forward, String scalarOutput, Collection<String> wrt) {
        return of(forward, scalarOutput, wrt, Map.of());
    }

    /**
     * The forward graph plus outputs {@code grad:<w>} for each {@code w} in {@code wrt} (graph inputs or
     * initializers). {@code inputShapes} gives concrete shapes for inputs with symbolic dims.
     */
    public static Graph of(Graph forward, String scalarOutput, Collection<String> wrt, Map<String, long[]> inputShapes) {
        ShapeInference shapes = ShapeInference.of(forward, inputShapes);
        checkArguments(forward, scalarOutput, wrt, shapes);
        GraphBuilder g = GraphBuilder.extend(forward);
        g.scope("grad");
        backward(g, forward, shapes, scalarOutput, wrt, Gradients::gradName);
        return g.build();
    }

    /** The name of the output {@code d scalar / d value} of {@link #ofEach}. */
    public static String gradName(String scalar, String value) {
        return PREFIX + scalar + ":" + value;
    }

    /**
     * The forward graph plus, for each scalar output s of {@code scalarOutputs} and each {@code w} in {@code wrt}, an
     * output {@link #gradName(String, String) grad:<s>:<w>} = d s / d w: one forward, one backward per scalar (what
     * a vector-Jacobian product per row of a batch would cost, without running the forward once per row).
     */
    /**
     * {@link #ofEach} for a forward graph whose inputs have symbolic dims (e.g. a token count), one graph for every size
     * of them: the rules need concrete shapes, so the gradient is derived at two sizes, {@code probe} and
     * {@code otherProbe}, and must come out byte for byte the same graph both times (no constant in it depends on
     * those sizes; the rules take sizes from run-time Shape ops). A rule or op that bakes in a size fails here, never
     * at run time with a wrong gradient. The probes must not give a symbolic dim the size 1 (that is broadcasting).
     */
    public static Graph ofEachAnySize(Graph forward, List<String> scalarOutputs, Collection<String> wrt, Map<String, long[]> probe,
            Map<String, long[]> otherProbe) {
        return anySize(forward, shapes -> ofEach(forward, scalarOutputs, wrt, shapes), probe, otherProbe);
    }

    /**
     * A graph {@code derive} builds on {@code forward} (whose inputs have symbolic dims) with shapes for the rules, made
     * at {@code probe} and at {@code otherProbe}; it must come out byte for byte the same both times (nothing in it
     * depends on those sizes), and then serves every size.
     */
    public static Graph anySize(Graph forward, java.util.function.Function<Map<String, long[]>, Graph> derive,
            Map<String, long[]> probe, Map<String, long[]> otherProbe) {
        Graph a = derive.apply(probe);
        Graph b = derive.apply(otherProbe);
        if (!java.util.Arrays.equals(org.clipwsss.runtime.graph.OnnxWriter.toBytes(a, Map.of()),
                org.clipwsss.runtime.graph.OnnxWriter.toBytes(b, Map.of()))) {
            throw new IllegalArgumentException("the gradient graph of " + forward.name() + " depends on the sizes of its inputs' symbolic"
                    + " dims (derived at two sizes, it differs): build it per size");
        }
        return a;
    }

    public static Graph ofEach(Graph forward, List<String> scalarOutputs, Collection<String> wrt, Map<String, long[]> inputShapes) {
        ShapeInference shapes = ShapeInference.of(forward, inputShapes);
        GraphBuilder g = GraphBuilder.extend(forward);
        for (String scalar : scalarOutputs) {
            checkArguments(forward, scalar, wrt, shapes);
            g.scope("grad." + scalar);
            backward(g, forward, shapes, scalar, wrt, w -> gradName(scalar, w));
        }
        return g.build();
    }

    /** Adds to {@code g} the backward ops from {@code scalarOutput} to each of {@code wrt}, and their outputs. */
    private static void backward(GraphBuilder g, Graph forward, ShapeInference shapes, String scalarOutput, Collection<String> wrt,
            java.util.function.UnaryOperator<String> outputName) {
        Map<String, String> grads = backwardValues(g, forward, shapes, scalarOutput, wrt);
        for (String w : new LinkedHashSet<>(wrt)) {
            long[] shape = shapes.shape(w);
            // declared as w itself is: an input's symbolic dims stay symbolic
            Object[] dims = forward.inputs().stream().filter(i -> i.name().equals(w) && i.dims() != null).findFirst()
                    .map(i -> i.dims().toArray()).orElseGet(() -> java.util.Arrays.stream(shape).boxed().toArray());
            g.output(grads.get(w), outputName.apply(w), ElemType.FLOAT, dims);
        }
    }

    /**
     * Adds to {@code g} (a builder that {@link GraphBuilder#extend extends} {@code forward}) the backward ops from the
     * scalar output {@code scalarOutput} to each of {@code wrt}, and returns the names of the gradient values, not
     * declared as outputs (for a graph that goes on computing with them). Here {@code wrt} may also name values computed
     * inside {@code forward}: the backward stops at them (what they are computed from gets no backward ops).
     * {@code inputShapes} gives concrete shapes for inputs with symbolic dims.
     */
    public static Map<String, String> backwardInto(GraphBuilder g, Graph forward, Map<String, long[]> inputShapes,
            String scalarOutput, Collection<String> wrt) {
        ShapeInference shapes = ShapeInference.of(forward, inputShapes);
        checkScalar(forward, scalarOutput, shapes);
        Set<String> values = new HashSet<>(forward.initializers().keySet());
        forward.inputs().forEach(i -> values.add(i.name()));
        forward.nodes().forEach(n -> values.addAll(n.outputs()));
        for (String w : wrt) {
            if (!values.contains(w)) {
                throw new IllegalArgumentException(w + " is not a value of graph " + forward.name());
            }
        }
        return backwardValues(g, forward, shapes, scalarOutput, wrt);
    }

    /** The backward ops from {@code scalarOutput} to each of {@code wrt} (where it stops); the gradients' value names. */
    private static Map<String, String> backwardValues(GraphBuilder g, Graph forward, ShapeInference shapes, String scalarOutput,
            Collection<String> wrt) {
        Set<String> dependent = dependents(forward, wrt);
        Set<String> useful = ancestors(forward, scalarOutput);
        Backward b = new Backward(g, forward, shapes, dependent);
        Map<String, String> grads = new HashMap<>();
        grads.put(scalarOutput, g.expand(g.constant("seed", 1f), g.constantLongs("seed_shape", shapes.shape(scalarOutput))));
        List<Node> nodes = forward.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            String out = n.outputs().get(0);
            String dy = grads.get(out);
            if (dy == null || !dependent.contains(out) || !useful.contains(out) || wrt.contains(out)) {
                continue;
            }
            Rule rule = RULES.get(n.op());
            if (rule == null) {
                throw new IllegalArgumentException("no gradient rule for op " + n.op() + " (node " + n.name()
                        + ", output " + out + ") on the path from " + wrt + " to " + scalarOutput);
            }
            String[] inputGrads = rule.backward(n, dy, b);
            for (int k = 0; k < inputGrads.length; k++) {
                String v = n.inputs().get(k);
                if (inputGrads[k] != null && dependent.contains(v)) {
                    grads.merge(v, inputGrads[k], g::add);
                }
            }
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String w : new LinkedHashSet<>(wrt)) {
            String grad = grads.get(w);
            out.put(w, grad != null ? grad : g.expand(g.constant("zero", 0f), g.shape(w)));
        }
        return out;
    }

    private static void checkArguments(Graph forward, String scalarOutput, Collection<String> wrt, ShapeInference shapes) {
        checkScalar(forward, scalarOutput, shapes);
        for (String w : wrt) {
            boolean input = forward.inputs().stream().anyMatch(i -> i.name().equals(w));
            if (!input && !forward.initializers().containsKey(w)) {
                throw new IllegalArgumentException(w + " is neither an input nor an initializer of graph " + forward.name());
            }
        }
    }

    private static void checkScalar(Graph forward, String scalarOutput, ShapeInference shapes) {
        if (forward.outputs().stream().noneMatch(o -> o.name().equals(scalarOutput))) {
            throw new IllegalArgumentException("graph " + forward.name() + " has no output " + scalarOutput);
        }
        if (Axes.count(shapes.shape(scalarOutput)) != 1) {
            throw new IllegalArgumentException("output " + scalarOutput + " is not a scalar: shape "
                    + java.util.Arrays.toString(shapes.shape(scalarOutput)));
        }
    }

    /** Values computed (differentiably) from {@code wrt}. */
    private static Set<String> dependents(Graph forward, Collection<String> wrt) {
        Set<String> dependent = new HashSet<>(wrt);
        for (Node n : forward.nodes()) {
            if (isDifferentiable(n) && n.inputs().stream().anyMatch(dependent::contains)) {
                dependent.addAll(n.outputs());
            }
        }
        return dependent;
    }

    private static boolean isDifferentiable(Node n) {
        if (n.op().equals("Cast")) {
            return n.intAttr("to", -1) == ElemType.FLOAT.onnxCode();
        }
        return !NOT_DIFFERENTIABLE.contains(n.op());
    }

    /** Values the scalar is computed from. */
    private static Set<String> ancestors(Graph forward, String scalarOutput) {
        Set<String> useful = new HashSet<>(List.of(scalarOutput));
        List<Node> nodes = forward.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(useful::contains)) {
                useful.addAll(n.inputs());
            }
        }
        return useful;
    }
}
