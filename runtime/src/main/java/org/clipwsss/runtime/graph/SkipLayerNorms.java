package org.clipwsss.runtime.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pass for graphs that ONNX Runtime will run: each {@code LayerNormalization} over the last axis whose input is
 * a residual sum ({@link GraphBuilder#residualAdd}: an Add whose builder vouches that both operands have the same
 * shape) becomes one ONNX Runtime {@code SkipLayerNormalization} ({@value Node#MICROSOFT} domain), which also returns
 * the sum for the sum's other readers.
 *
 * <p>Why: ONNX Runtime 1.29's CPU kernel for {@code LayerNormalization} took 1.5 ms on a [1,769,768] tensor (ViT-B/16
 * at 512x384, 2 threads), its {@code SkipLayerNormalization} 0.3-0.4 ms, with the sum written out too. ONNX Runtime
 * fuses Add + LayerNormalization itself only when nothing else reads the sum, and in a transformer's residual stream
 * the next layer always does. Same formula: the sum is formed in float as before, and the normalisation's float
 * rounding differs by ulps (the tests compare the two on ONNX Runtime).
 *
 * <p>Only marked sums: the fused kernel does not check that its operands agree (a first operand [1,T,D] with a second
 * [3,T,D] ran without an error, on part of the data), so an Add of unknown shapes is never fused. Not fused either: a
 * LayerNormalization over another axis, one asked for its mean or inverse deviation, or one whose scale or bias is not
 * an initializer (the fused node takes the Add's place in the node order, where only initializers are sure to exist).
 * Graphs written for other runtimes ({@code export}) do not go through this pass.
 */
public final class SkipLayerNorms {
    private SkipLayerNorms() {
    }

    /** {@code graph} with every fusable Add + LayerNormalization pair fused. */
    public static Graph fuse(Graph graph) {
        Map<String, Node> producer = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (Node n : graph.nodes()) {
            n.outputs().forEach(o -> producer.put(o, n));
            n.inputs().forEach(i -> readers.merge(i, 1, Integer::sum));
        }
        Set<String> graphOutputs = new HashSet<>();
        graph.outputs().forEach(o -> graphOutputs.add(o.name()));
        Map<Node, Node> replaceAdd = new LinkedHashMap<>();
        Set<Node> dropped = new HashSet<>();
        for (Node ln : graph.nodes()) {
            Node add = fusableAdd(graph, ln, producer);
            if (add == null || replaceAdd.containsKey(add)) {
                continue;
            }
            String sum = add.output();
            boolean sumRead = readers.getOrDefault(sum, 0) > 1 || graphOutputs.contains(sum);
            List<String> outs = sumRead ? List.of(ln.output(), "", "", sum) : List.of(ln.output());
            List<String> ins = new ArrayList<>(List.of(add.inputs().get(0), add.inputs().get(1), ln.inputs().get(1)));
            if (ln.inputs().size() > 2 && !ln.inputs().get(2).isEmpty()) {
                ins.add(ln.inputs().get(2));
            }
            Map<String, Attribute> attrs = Map.of("epsilon", new Attribute.Float(ln.floatAttr("epsilon", 1e-5f)));
            replaceAdd.put(add, new Node(ln.name() + "_skip", "SkipLayerNormalization", ins, outs, attrs, Node.MICROSOFT));
            dropped.add(ln);
        }
        if (replaceAdd.isEmpty()) {
            return graph;
        }
        List<Node> nodes = new ArrayList<>(graph.nodes().size());
        for (Node n : graph.nodes()) {
            if (!dropped.contains(n)) {
                nodes.add(replaceAdd.getOrDefault(n, n));
            }
        }
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), nodes, graph.initializers());
    }

    /** The Add that {@code ln} can absorb, or null. */
    private static Node fusableAdd(Graph graph, Node ln, Map<String, Node> producer) {
        if (!ln.op().equals("LayerNormalization") || !ln.domain().isEmpty() || ln.outputs().size() != 1
                || ln.intAttr("axis", -1) != -1 || ln.intAttr("stash_type", 1) != 1 || ln.inputs().size() < 2) {
            return null;
        }
        for (String param : ln.inputs().subList(1, ln.inputs().size())) {
            if (!param.isEmpty() && !graph.initializers().containsKey(param)) {
                return null;
            }
        }
        Node add = producer.get(ln.inputs().get(0));
        if (add == null || !add.op().equals("Add") || !add.domain().isEmpty() || add.inputs().size() != 2
                || !add.name().startsWith(GraphBuilder.RESIDUAL_ADD + "_")) {
            return null;
        }
        return add;
    }
}
