package org.clipwsss.training.autodiff;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.GraphBuilder;

/** ONNX ops (opset 17 signatures) that {@link GraphBuilder} has no helper for. */
final class Ops {
    private Ops() {
    }

    static String neg(GraphBuilder g, String x) {
        return g.op("Neg", List.of(x), Map.of());
    }

    static String unary(GraphBuilder g, String op, String x) {
        return g.op(op, List.of(x), Map.of());
    }

    /** ReduceSum over {@code axes} (axes are an input since opset 13); null axes: over everything. */
    static String reduceSum(GraphBuilder g, String x, long[] axes, boolean keepDims) {
        List<String> in = axes == null ? List.of(x) : List.of(x, g.constantLongs("axes", axes));
        return g.op("ReduceSum", in, Map.of("keepdims", keepDims ? 1L : 0L));
    }

    /** ReduceMean over {@code axes} (an attribute until opset 18); null axes: over everything. */
    static String reduceMean(GraphBuilder g, String x, long[] axes, boolean keepDims) {
        Map<String, Object> attrs = axes == null ? Map.of("keepdims", keepDims ? 1L : 0L)
                : Map.of("axes", axes, "keepdims", keepDims ? 1L : 0L);
        return g.op("ReduceMean", List.of(x), attrs);
    }
}
