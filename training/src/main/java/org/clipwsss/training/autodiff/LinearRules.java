package org.clipwsss.training.autodiff;

import static org.clipwsss.training.autodiff.Rule.in;
import static org.clipwsss.training.autodiff.Rule.one;
import static org.clipwsss.training.autodiff.Rule.out;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Node;

/** Rules of the ops that mix elements: MatMul, Softmax, LayerNormalization and the reductions. */
final class LinearRules {
    private LinearRules() {
    }

    static void register(Map<String, Rule> rules) {
        rules.put("MatMul", LinearRules::matMul);
        rules.put("Softmax", LinearRules::softmax);
        rules.put("LayerNormalization", LinearRules::layerNorm);
        rules.put("ReduceSum", (n, dy, b) -> reduce(n, dy, b, false));
        rules.put("ReduceMean", (n, dy, b) -> reduce(n, dy, b, true));
    }

    /** y = a b (batched, broadcasting): da = dy b^T, db = a^T dy, each summed over broadcast batch axes. */
    private static String[] matMul(Node n, String dy, Backward b) {
        String a = in(n, 0);
        String w = in(n, 1);
        long[] y = b.shape(out(n));
        String da = null;
        String dw = null;
        if (b.needs(a)) {
            String full = b.g.matMul(dy, b.transposeLast(w, b.shape(w).length));
            da = b.unbroadcast(full, batchedShape(y, b.shape(a)), b.shape(a));
        }
        if (b.needs(w)) {
            String full = b.g.matMul(b.transposeLast(a, b.shape(a).length), dy);
            dw = b.unbroadcast(full, batchedShape(y, b.shape(w)), b.shape(w));
        }
        return new String[] {da, dw};
    }

    /** The output's batch dims followed by the operand's last two dims. */
    private static long[] batchedShape(long[] y, long[] operand) {
        long[] s = y.clone();
        s[s.length - 2] = operand[operand.length - 2];
        s[s.length - 1] = operand[operand.length - 1];
        return s;
    }

    /** dx = y (dy - sum(dy y)) along the softmax axis. */
    private static String[] softmax(Node n, String dy, Backward b) {
        String y = out(n);
        long axis = Axes.normalize(n.intAttr("axis", -1), b.shape(y).length);
        GraphBuilder g = b.g;
        String dot = b.reduceSum(g.mul(dy, y), new long[] {axis}, true);
        return one(g.mul(y, g.sub(dy, dot)));
    }

    /**
     * LayerNormalization over the last axis, recomputing xhat = (x - mean) / sqrt(var + eps):
     * dx = inv (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) with dxhat = dy scale; dscale = sum dy xhat;
     * dbias = sum dy (over all leading axes).
     */
    private static String[] layerNorm(Node n, String dy, Backward b) {
        String x = in(n, 0);
        long[] shape = b.shape(x);
        int rank = shape.length;
        if (Axes.normalize(n.intAttr("axis", -1), rank) != rank - 1) {
            throw new IllegalArgumentException("LayerNormalization node " + n.name() + ": only axis -1 is supported");
        }
        GraphBuilder g = b.g;
        long[] last = {-1};
        String centred = g.sub(x, b.reduceMean(x, last, true));
        String variance = b.reduceMean(g.mul(centred, centred), last, true);
        String eps = b.scalar(n.floatAttr("epsilon", 1e-5f));
        String inv = g.div(b.scalar(1f), g.op("Sqrt", List.of(g.add(variance, eps)), Map.of()));
        String xhat = g.mul(centred, inv);
        String[] grads = new String[n.inputs().size()];
        long[] leading = Axes.range(0, rank - 1);
        if (b.needs(x)) {
            String dxhat = g.mul(dy, in(n, 1));
            String inner = g.sub(g.sub(dxhat, b.reduceMean(dxhat, last, true)),
                    g.mul(xhat, b.reduceMean(g.mul(dxhat, xhat), last, true)));
            grads[0] = g.mul(inv, inner);
        }
        if (b.needs(in(n, 1))) {
            grads[1] = sumLeading(b, g.mul(dy, xhat), leading);
        }
        if (n.inputs().size() > 2 && !in(n, 2).isEmpty() && b.needs(in(n, 2))) {
            grads[2] = sumLeading(b, dy, leading);
        }
        return grads;
    }

    private static String sumLeading(Backward b, String x, long[] leading) {
        return leading.length == 0 ? x : b.reduceSum(x, leading, false);
    }

    /**
     * dx = dy (with the reduced axes kept, size 1) expanded to x's run-time shape, divided by the count for a mean: the
     * count is taken from x's run-time shape too (1/count correctly rounded to float either way), so the graph holds for
     * any size of x's axes.
     */
    private static String[] reduce(Node n, String dy, Backward b, boolean mean) {
        String x = in(n, 0);
        long[] shape = b.shape(x);
        long[] given = ShapeInference.reduceAxes(n, shape.length, b.shapes());
        long[] axes = given == null ? Axes.range(0, shape.length) : given;
        GraphBuilder g = b.g;
        boolean keepDims = n.intAttr("keepdims", 1) != 0;
        String kept = keepDims || axes.length == 0 ? dy : g.unsqueeze(dy, axes);
        String xShape = g.shape(x);
        String dx = g.expand(kept, xShape);
        if (mean) {
            String count = g.op("ReduceProd", List.of(g.op("Gather", List.of(xShape, g.constantLongs("reduced_axes", axes)),
                    Map.of("axis", 0L))), Map.of("keepdims", 0L));
            String inverse = g.op("Reciprocal", List.of(g.op("Cast", List.of(count), Map.of("to", (long) ElemType.FLOAT.onnxCode()))),
                    Map.of());
            dx = g.mul(dx, inverse);
        }
        String[] grads = new String[n.inputs().size()];
        grads[0] = dx;
        return grads;
    }
}
