package org.clipwsss.training.autodiff;

import static org.clipwsss.training.autodiff.Rule.in;
import static org.clipwsss.training.autodiff.Rule.out;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.graph.Node;

/** Rules of the ops that move elements: reshapes, transposes, slices, concatenation, gathers, broadcasts. */
final class ShapeRules {
    private ShapeRules() {
    }

    static void register(Map<String, Rule> rules) {
        Rule reshapeBack = (n, dy, b) -> first(n, b.reshapeLike(dy, in(n, 0)));
        for (String op : List.of("Reshape", "Squeeze", "Unsqueeze", "Flatten")) {
            rules.put(op, reshapeBack);
        }
        rules.put("Transpose", (n, dy, b) ->
                first(n, b.g.transpose(dy, Axes.inverse(ShapeInference.perm(n, b.shape(in(n, 0)).length)))));
        rules.put("Expand", (n, dy, b) -> first(n, b.unbroadcast(dy, b.shape(out(n)), b.shape(in(n, 0)))));
        rules.put("Concat", ShapeRules::concat);
        rules.put("Slice", ShapeRules::slice);
        rules.put("Gather", ShapeRules::gather);
    }

    /** A gradient for the first input only. */
    private static String[] first(Node n, String dx) {
        String[] grads = new String[n.inputs().size()];
        grads[0] = dx;
        return grads;
    }

    private static String[] concat(Node n, String dy, Backward b) {
        int rank = b.shape(out(n)).length;
        long axis = Axes.normalize(n.intAttr("axis", 0), rank);
        String[] grads = new String[n.inputs().size()];
        long start = 0;
        for (int i = 0; i < grads.length; i++) {
            long size = b.shape(in(n, i))[(int) axis];
            if (b.needs(in(n, i))) {
                grads[i] = b.g.slice(dy, new long[] {start}, new long[] {start + size}, new long[] {axis});
            }
            start += size;
        }
        return grads;
    }

    /** Zero-pads the gradient back to the sliced input's shape. */
    private static String[] slice(Node n, String dy, Backward b) {
        long[] x = b.shape(in(n, 0));
        long[][] bounds = ShapeInference.sliceBounds(n, x, b.shapes());
        long[] pads = new long[2 * x.length];
        for (int i = 0; i < x.length; i++) {
            pads[i] = bounds[i][0];
            pads[x.length + i] = x[i] - bounds[i][1];
        }
        GraphBuilder g = b.g;
        return first(n, g.op("Pad", List.of(dy, g.constantLongs("pads", pads)), Map.of("mode", "constant")));
    }

    /**
     * Gather with constant indices along axis a: with dy viewed as [P, K, Q] (K = number of indices) the
     * gradient is the one-hot matrix O^T [N, K] times dy, viewed back as the data's shape.
     */
    private static String[] gather(Node n, String dy, Backward b) {
        long[] indices = b.constantLongs(in(n, 1), "the gradient of Gather node " + n.name());
        long[] x = b.shape(in(n, 0));
        int axis = Axes.normalize(n.intAttr("axis", 0), x.length);
        long size = x[axis];
        float[] oneHotT = new float[Math.toIntExact(size * indices.length)];
        for (int k = 0; k < indices.length; k++) {
            long i = indices[k] < 0 ? indices[k] + size : indices[k];
            oneHotT[Math.toIntExact(i * indices.length + k)] = 1f;
        }
        GraphBuilder g = b.g;
        String o = g.initializer(Initializer.floats(g.fresh("gather_onehot_t"), oneHotT, size, indices.length));
        long before = Axes.count(java.util.Arrays.copyOf(x, axis));
        long after = Axes.count(java.util.Arrays.copyOfRange(x, axis + 1, x.length));
        String mixed = g.matMul(o, g.reshape(dy, before, indices.length, after));
        return first(n, g.reshape(mixed, x));
    }
}
