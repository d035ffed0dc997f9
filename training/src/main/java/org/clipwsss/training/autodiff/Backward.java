package org.clipwsss.training.autodiff;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;

/**
 * What a backward rule works with: the builder the gradient ops go into, the forward graph's shapes and
 * constants, which values need a gradient, and the few ONNX ops the rules are written with.
 */
final class Backward {
    final GraphBuilder g;
    private final Graph forward;
    private final ShapeInference shapes;
    private final Set<String> needsGradient;

    Backward(GraphBuilder g, Graph forward, ShapeInference shapes, Set<String> needsGradient) {
        this.g = g;
        this.forward = forward;
        this.shapes = shapes;
        this.needsGradient = needsGradient;
    }

    boolean needs(String value) {
        return needsGradient.contains(value);
    }

    long[] shape(String value) {
        return shapes.shape(value);
    }

    ShapeInference shapes() {
        return shapes;
    }

    long[] constantLongs(String value, String what) {
        return shapes.requireConstant(value, what);
    }

    /** The scalar value of a float initializer (e.g. Pow's exponent), or an error. */
    float constantFloat(String value, String what) {
        Initializer init = forward.initializers().get(value);
        if (init == null || init.elementCount() != 1 || !(init.values() instanceof float[] f)) {
            throw new IllegalArgumentException(what + " needs a scalar float constant, got value " + value);
        }
        return f[0];
    }

    String scalar(float v) {
        return g.constant("c", v);
    }

    String neg(String x) {
        return Ops.neg(g, x);
    }

    String reduceSum(String x, long[] axes, boolean keepDims) {
        return Ops.reduceSum(g, x, axes, keepDims);
    }

    String reduceMean(String x, long[] axes, boolean keepDims) {
        return Ops.reduceMean(g, x, axes, keepDims);
    }

    String where(String condition, String a, String b) {
        return g.op("Where", List.of(condition, a, b), Map.of());
    }

    /**
     * Sums {@code grad} (of shape {@code from}) over the axes broadcast from {@code target}, giving shape {@code target}:
     * kept as size-1 axes, then the leading axes squeezed away; no shape constant, so the graph holds for any size of
     * the axes that are not broadcast.
     */
    String unbroadcast(String grad, long[] from, long[] target) {
        if (Arrays.equals(from, target)) {
            return grad;
        }
        long[] axes = Axes.broadcastAxes(from, target);
        String summed = axes.length == 0 ? grad : reduceSum(grad, axes, true);
        int lead = from.length - target.length;
        return lead == 0 ? summed : g.squeeze(summed, Axes.range(0, lead));
    }

    /** {@code x} reshaped to the run-time shape of {@code like} (a Shape op, which ONNX Runtime folds when it is static). */
    String reshapeLike(String x, String like) {
        return g.reshapeTo(x, g.shape(like));
    }

    /** Swaps the last two axes. */
    String transposeLast(String x, int rank) {
        long[] perm = Axes.range(0, rank);
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return g.transpose(x, perm);
    }
}
