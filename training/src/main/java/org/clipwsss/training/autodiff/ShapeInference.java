package org.clipwsss.training.autodiff;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.graph.Node;
import org.clipwsss.runtime.graph.ValueInfo;

/**
 * Static shapes of every value of a graph, from concrete input shapes, initializers and attributes, plus
 * the values of small int64 tensors that can be folded (Shape, Slice, Concat, ... of constants) so that
 * Reshape, Slice and Expand targets computed inside the graph are known.
 */
public final class ShapeInference {
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, long[]> constants = new HashMap<>();

    private ShapeInference() {
    }

    /** Infers {@code graph}; {@code inputShapes} gives each input's concrete shape (fixed inputs may be left out). */
    public static ShapeInference of(Graph graph, Map<String, long[]> inputShapes) {
        ShapeInference s = new ShapeInference();
        for (ValueInfo in : graph.inputs()) {
            long[] shape = inputShapes.containsKey(in.name()) ? inputShapes.get(in.name()) : fixedShape(in);
            s.shapes.put(in.name(), shape.clone());
        }
        for (Initializer init : graph.initializers().values()) {
            s.shapes.put(init.name(), init.shape());
            if (init.type() == ElemType.INT64 && init.elementCount() <= 4096) {
                s.constants.put(init.name(), (long[]) init.values());
            }
        }
        for (Node n : graph.nodes()) {
            try {
                s.infer(n);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("shape inference failed at " + n.op() + " node " + n.name() + ": "
                        + e.getMessage(), e);
            }
        }
        return s;
    }

    private static long[] fixedShape(ValueInfo in) {
        if (in.dims() == null) {
            throw new IllegalArgumentException("input " + in.name() + " has unknown rank; give its shape");
        }
        try {
            return in.dims().stream().mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input " + in.name() + " has symbolic dims " + in.dims() + "; give its shape", e);
        }
    }

    public long[] shape(String value) {
        long[] s = shapes.get(value);
        if (s == null) {
            throw new IllegalArgumentException("no shape known for value " + value);
        }
        return s.clone();
    }

    /** The value of a folded int64 tensor, or null when it is not a known constant. */
    public long[] constant(String value) {
        long[] c = constants.get(value);
        return c == null ? null : c.clone();
    }

    /** A known int64 constant, or an error naming the value and what needed it. */
    public long[] requireConstant(String value, String what) {
        long[] c = constant(value);
        if (c == null) {
            throw new IllegalArgumentException(what + " needs constant value " + value);
        }
        return c;
    }

    private void infer(Node n) {
        List<String> in = n.inputs();
        long[] x = in.isEmpty() ? null : shapes.get(in.get(0));
        long[] out;
        switch (n.op()) {
            case "Identity", "Neg", "Sqrt", "Exp", "Log", "Sigmoid", "Tanh", "Erf", "Relu", "Softmax", "Clip", "Abs",
                    "Reciprocal", "LayerNormalization", "Not" -> out = x;
            case "Cast" -> {
                out = x;
                fold(n, constant(in.get(0)));
            }
            case "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And",
                    "Or", "Where" -> {
                out = x;
                for (int i = 1; i < in.size(); i++) {
                    out = Axes.broadcast(out, shape(in.get(i)));
                }
            }
            case "MatMul" -> out = matMul(x, shape(in.get(1)));
            case "Reshape" -> out = reshape(x, requireConstant(in.get(1), "Reshape"));
            case "Transpose" -> out = Axes.permute(x, perm(n, x.length));
            case "Shape" -> {
                out = new long[] {x.length};
                fold(n, x);
            }
            case "Expand" -> out = Axes.broadcast(x, requireConstant(in.get(1), "Expand"));
            case "Concat" -> out = concat(n);
            case "Slice" -> out = slice(n, x);
            case "Squeeze" -> out = squeeze(n, x);
            case "Unsqueeze" -> out = unsqueeze(n, x);
            case "Gather" -> out = gather(n, x);
            case "ArgMax", "ReduceMean", "ReduceMax", "ReduceSum" -> out = reduce(n, x);
            default -> throw new IllegalArgumentException("no shape rule for op " + n.op());
        }
        shapes.put(n.outputs().get(0), out.clone());
    }

    private void fold(Node n, long[] value) {
        if (value != null) {
            constants.put(n.outputs().get(0), value);
        }
    }

    static long[] perm(Node n, int rank) {
        long[] p = n.intsAttr("perm");
        if (p == null) {
            p = new long[rank];
            for (int i = 0; i < rank; i++) {
                p[i] = rank - 1 - i;
            }
        }
        return p;
    }

    /** numpy's matmul: a vector operand is a matrix of one row (a) or one column (b) whose axis is dropped again. */
    private static long[] matMul(long[] a, long[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("MatMul of a scalar: " + Arrays.toString(a) + " x " + Arrays.toString(b));
        }
        if (a.length == 1) {
            long[] out = matMul(new long[] {1, a[0]}, b);
            long[] dropped = Arrays.copyOf(out, out.length - 1);
            dropped[dropped.length - 1] = out[out.length - 1];
            return dropped;
        }
        if (b.length == 1) {
            long[] out = matMul(a, new long[] {b[0], 1});
            return Arrays.copyOf(out, out.length - 1);
        }
        long[] batch = Axes.broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a[a.length - 2];
        out[batch.length + 1] = b[b.length - 1];
        return out;
    }

    private static long[] reshape(long[] x, long[] target) {
        long[] out = target.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = x[i];
            }
            if (out[i] == -1) {
                infer = i;
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            out[infer] = Axes.count(x) / known;
        }
        return out;
    }

    private long[] concat(Node n) {
        int rank = shape(n.inputs().get(0)).length;
        int axis = Axes.normalize(n.intAttr("axis", 0), rank);
        long[] out = shape(n.inputs().get(0));
        out[axis] = 0;
        boolean foldable = rank == 1;
        long[] folded = new long[0];
        for (String part : n.inputs()) {
            out[axis] += shape(part)[axis];
            long[] c = constant(part);
            foldable &= c != null;
            if (foldable) {
                folded = Axes.concat(folded, c);
            }
        }
        if (foldable) {
            fold(n, folded);
        }
        return out;
    }

    /** Normalised [start, end) per data axis for a Slice node with constant starts/ends/axes (steps 1). */
    static long[][] sliceBounds(Node n, long[] x, ShapeInference s) {
        List<String> in = n.inputs();
        long[] starts = s.requireConstant(in.get(1), "Slice");
        long[] ends = s.requireConstant(in.get(2), "Slice");
        long[] axes = in.size() > 3 && !in.get(3).isEmpty() ? s.requireConstant(in.get(3), "Slice") : null;
        if (in.size() > 4 && !in.get(4).isEmpty() && Arrays.stream(s.requireConstant(in.get(4), "Slice")).anyMatch(v -> v != 1)) {
            throw new IllegalArgumentException("Slice with steps other than 1 is not supported");
        }
        long[][] bounds = new long[x.length][];
        for (int i = 0; i < x.length; i++) {
            bounds[i] = new long[] {0, x[i]};
        }
        for (int i = 0; i < starts.length; i++) {
            int axis = axes == null ? i : Axes.normalize(axes[i], x.length);
            long d = x[axis];
            long b = Math.max(0, Math.min(d, starts[i] < 0 ? starts[i] + d : starts[i]));
            long e = Math.max(0, Math.min(d, ends[i] < 0 ? ends[i] + d : ends[i]));
            bounds[axis] = new long[] {b, Math.max(b, e)};
        }
        return bounds;
    }

    private long[] slice(Node n, long[] x) {
        long[][] bounds = sliceBounds(n, x, this);
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = bounds[i][1] - bounds[i][0];
        }
        long[] c = constant(n.inputs().get(0));
        if (c != null && x.length == 1) {
            fold(n, Arrays.copyOfRange(c, (int) bounds[0][0], (int) bounds[0][1]));
        }
        return out;
    }

    private long[] squeeze(Node n, long[] x) {
        long[] axes = n.inputs().size() > 1 ? requireConstant(n.inputs().get(1), "Squeeze") : null;
        long[] out = Axes.squeeze(x, axes);
        fold(n, constant(n.inputs().get(0)));
        return out;
    }

    private long[] unsqueeze(Node n, long[] x) {
        long[] out = Axes.unsqueeze(x, requireConstant(n.inputs().get(1), "Unsqueeze"));
        fold(n, constant(n.inputs().get(0)));
        return out;
    }

    private long[] gather(Node n, long[] x) {
        int axis = Axes.normalize(n.intAttr("axis", 0), x.length);
        long[] idx = shape(n.inputs().get(1));
        long[] out = Axes.concat(Axes.concat(Arrays.copyOf(x, axis), idx), Arrays.copyOfRange(x, axis + 1, x.length));
        long[] data = constant(n.inputs().get(0));
        long[] indices = constant(n.inputs().get(1));
        if (data != null && indices != null && x.length == 1) {
            fold(n, Arrays.stream(indices).map(i -> data[(int) (i < 0 ? i + data.length : i)]).toArray());
        }
        return out;
    }

    /** The reduced axes of a ReduceX/ArgMax node (attribute or, for ReduceSum, the second input); null means all. */
    static long[] reduceAxes(Node n, int rank, ShapeInference s) {
        long[] axes;
        if (n.op().equals("ArgMax")) {
            axes = new long[] {n.intAttr("axis", 0)};
        } else if (n.op().equals("ReduceSum")) {
            axes = n.inputs().size() > 1 && !n.inputs().get(1).isEmpty() ? s.requireConstant(n.inputs().get(1), "ReduceSum") : null;
        } else {
            axes = n.intsAttr("axes");
        }
        if (axes == null || axes.length == 0) {
            return null;
        }
        return Arrays.stream(axes).map(a -> Axes.normalize(a, rank)).sorted().toArray();
    }

    private long[] reduce(Node n, long[] x) {
        long[] axes = reduceAxes(n, x.length, this);
        boolean keep = n.intAttr("keepdims", 1) == 1;
        return Axes.reduce(x, axes, keep);
    }
}
