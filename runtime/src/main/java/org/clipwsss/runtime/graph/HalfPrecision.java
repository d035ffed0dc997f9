package org.clipwsss.runtime.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.HalfFloats;

/**
 * A float graph computed in IEEE half precision (fp16), the form a GPU's tensor cores run fastest; the graph's
 * signature stays float:
 * <ul>
 * <li>every float initializer is stored as fp16 (round to nearest even), converted when the graph is written (the float
 * weights are read lazily, as before);</li>
 * <li>each float input is cast to fp16 where it enters, each float output cast back to float where it leaves;</li>
 * <li>Cast nodes to float cast to fp16 instead, and float tensor attributes become fp16.</li>
 * </ul>
 * Integer and boolean values are untouched. A constant beyond fp16's range (65504) is an error naming it, except the
 * large "masked" sentinels of attention masks (magnitude at least {@value #SENTINEL}), which become ±65504: still
 * exactly 0 after the softmax's exp, and finite, so that 0 x sentinel stays 0 (an infinity would give NaN there).
 */
public final class HalfPrecision {
    /** Constants at least this large (in magnitude) are "masked" sentinels: saturated, not refused. */
    static final float SENTINEL = 1e8f;
    /** The largest finite fp16 value. */
    static final float MAX_HALF = 65504f;

    private HalfPrecision() {
    }

    /** The graph in half precision (see the class comment). */
    public static Graph apply(Graph graph) {
        Set<String> taken = new HashSet<>();
        graph.inputs().forEach(v -> taken.add(v.name()));
        taken.addAll(graph.initializers().keySet());
        for (Node n : graph.nodes()) {
            taken.add(n.name());
            taken.addAll(n.outputs());
        }
        Map<String, String> rename = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (ValueInfo in : graph.inputs()) {
            if (in.type() == ElemType.FLOAT) {
                String half = fresh(in.name() + "_fp16", taken);
                nodes.add(cast(fresh(in.name() + "_to_fp16", taken), in.name(), half, ElemType.FLOAT16));
                rename.put(in.name(), half);
            }
        }
        Map<String, Initializer> inits = new LinkedHashMap<>();
        for (Initializer init : graph.initializers().values()) {
            inits.put(init.name(), init.type() == ElemType.FLOAT ? half(init) : init);
        }
        Set<String> floatOutputs = new HashSet<>();
        for (ValueInfo out : graph.outputs()) {
            if (out.type() == ElemType.FLOAT) {
                floatOutputs.add(out.name());
            }
        }
        // a float output is computed under a new name in fp16 and cast back to its own name at the end
        Map<String, String> outputRename = new HashMap<>();
        for (String o : floatOutputs) {
            outputRename.put(o, fresh(o + "_fp16", taken));
        }
        for (Node n : graph.nodes()) {
            List<String> ins = n.inputs().stream().map(i -> rename.getOrDefault(i, outputRename.getOrDefault(i, i))).toList();
            List<String> outs = n.outputs().stream().map(o -> outputRename.getOrDefault(o, o)).toList();
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            n.attributes().forEach((k, a) -> attrs.put(k, half(n, k, a)));
            nodes.add(new Node(n.name(), n.op(), ins, outs, attrs));
        }
        for (ValueInfo out : graph.outputs()) {
            if (out.type() == ElemType.FLOAT) {
                if (graph.initializers().containsKey(out.name())) {
                    throw new IllegalArgumentException("graph " + graph.name() + ": output " + out.name() + " is an initializer");
                }
                String source = rename.getOrDefault(out.name(), outputRename.get(out.name()));
                nodes.add(cast(fresh(out.name() + "_to_float", taken), source, out.name(), ElemType.FLOAT));
            }
        }
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), nodes, inits);
    }

    private static Attribute half(Node n, String key, Attribute a) {
        if (n.op().equals("Cast") && key.equals("to") && a instanceof Attribute.Int i && i.value() == ElemType.FLOAT.onnxCode()) {
            return new Attribute.Int(ElemType.FLOAT16.onnxCode());
        }
        if (a instanceof Attribute.TensorValue t && t.tensor().type() == ElemType.FLOAT) {
            return new Attribute.TensorValue(half(t.tensor()));
        }
        return a;
    }

    private static Node cast(String name, String from, String to, ElemType type) {
        return new Node(name, "Cast", List.of(from), List.of(to), Map.of("to", new Attribute.Int(type.onnxCode())));
    }

    private static Initializer half(Initializer init) {
        return Initializer.lazyHalves(init.name(), () -> halves(init.name(), init.floatValues()), init.shape());
    }

    /** fp16 bit patterns of {@code values}; out-of-range values: see the class comment. */
    static short[] halves(String name, float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (Math.abs(v) > MAX_HALF && Float.isFinite(v)) {
                if (Math.abs(v) < SENTINEL) {
                    throw new ClipWsssException("constant " + name + " holds " + v + " at index " + i
                            + ", beyond half precision's range (65504): this graph cannot run in fp16");
                }
                v = Math.copySign(MAX_HALF, v);
            }
            out[i] = HalfFloats.floatToF16(v);
        }
        return out;
    }

    private static String fresh(String base, Set<String> taken) {
        String name = base;
        for (int k = 1; taken.contains(name); k++) {
            name = base + "_" + k;
        }
        taken.add(name);
        return name;
    }
}
