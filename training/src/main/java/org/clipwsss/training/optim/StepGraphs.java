package org.clipwsss.training.optim;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;

/**
 * Shared pieces of the optimizers' step graphs ({@link Optimizer#stepGraph}): the common inputs and output, and
 * float/double casts for the maths that the Java loops do in double.
 */
final class StepGraphs {
    /** ONNX {@code TensorProto.DataType} code of float64 (not an {@link ElemType}). */
    private static final long DOUBLE = 11;

    private StepGraphs() {
    }

    /** A builder with the inputs {@code params} [size], {@code grads} [size] and {@code lr} [] declared. */
    static GraphBuilder start(String name, long size) {
        if (size <= 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("optimizer step graph: buffer size " + size + " out of range");
        }
        GraphBuilder g = new GraphBuilder(name);
        g.input(Optimizer.PARAMS, ElemType.FLOAT, size);
        g.input(Optimizer.GRADS, ElemType.FLOAT, size);
        g.input(Optimizer.LR, ElemType.FLOAT);
        return g;
    }

    /** Declares a state input {@code name} [size] and returns it. */
    static String stateInput(GraphBuilder g, String name, long size) {
        return g.input(name, ElemType.FLOAT, size);
    }

    /** Declares {@code value} as the output {@code name + "_out"} (shape [size], or scalar when size is 0). */
    static void stateOutput(GraphBuilder g, String value, String name, long size) {
        if (size == 0) {
            g.output(value, name + Optimizer.OUT, ElemType.FLOAT);
        } else {
            g.output(value, name + Optimizer.OUT, ElemType.FLOAT, size);
        }
    }

    static String toDouble(GraphBuilder g, String x) {
        return g.op("Cast", List.of(x), Map.of("to", DOUBLE));
    }

    static String toFloat(GraphBuilder g, String x) {
        return g.cast(x, ElemType.FLOAT);
    }
}
