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

    /**
     * Zero-pads the gradient back to the sliced input's shape. A pad that depends on the size of the axis (an end before
     * the axis' end: size - end; a start counted from the end: size + start) is computed from the input's run-time
     * shape; the others (a start from the beginning, an end at or past the axis' end, an end counted from the end) are
     * constants. So the graph holds for any size of an axis sliced that way.
     */
    private static String[] slice(Node n, String dy, Backward b) {
        String xv = in(n, 0);
        long[] x = b.shape(xv);
        long[][] bounds = ShapeInference.sliceBounds(n, x, b.shapes());
        List<String> in = n.inputs();
        long[] starts = b.constantLongs(in.get(1), "the gradient of Slice node " + n.name());
        long[] ends = b.constantLongs(in.get(2), "the gradient of Slice node " + n.name());
        long[] axes = in.size() > 3 && !in.get(3).isEmpty() ? b.constantLongs(in.get(3), "the gradient of Slice node " + n.name()) : null;
        // per pad (begin of axis i at i, end at rank + i): a constant, or "size of axis i" minus a constant
        long[] constant = new long[2 * x.length];
        boolean[] fromSize = new boolean[2 * x.length];
        for (int i = 0; i < x.length; i++) {
            constant[i] = bounds[i][0];
            constant[x.length + i] = x[i] - bounds[i][1];
        }
        for (int k = 0; k < starts.length; k++) {
            int axis = axes == null ? k : Axes.normalize(axes[k], x.length);
            if (starts[k] < 0 && starts[k] + x[axis] > 0) {
                // begin = size + start
                fromSize[axis] = true;
                constant[axis] = -starts[k];
            }
            if (ends[k] >= 0 && ends[k] < x[axis] && ends[k] >= bounds[axis][0]) {
                // end pad = size - end
                fromSize[x.length + axis] = true;
                constant[x.length + axis] = ends[k];
            }
        }
        GraphBuilder g = b.g;
        String pads;
        boolean dynamic = false;
        for (boolean f : fromSize) {
            dynamic |= f;
        }
        if (!dynamic) {
            pads = g.constantLongs("pads", constant);
        } else {
            String shape = g.shape(xv);
            List<String> parts = new java.util.ArrayList<>();
            for (int i = 0; i < constant.length; i++) {
                if (fromSize[i]) {
                    int axis = i % x.length;
                    String size = g.slice(shape, new long[] {axis}, new long[] {axis + 1}, new long[] {0});
                    parts.add(g.op("Sub", List.of(size, g.constantLongs("pad_offset", constant[i])), Map.of()));
                } else {
                    parts.add(g.constantLongs("pad", constant[i]));
                }
            }
            pads = g.op("Concat", parts, Map.of("axis", 0L));
        }
        return first(n, g.op("Pad", List.of(dy, pads), Map.of("mode", "constant")));
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
