package org.clipwsss.training.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.junit.jupiter.api.Test;

/** {@link ShapeInference}'s MatMul shapes, numpy's rules, vector operands included. */
class ShapeInferenceTest {
    @Test
    void matMulOfVectorsDropsTheirAxis() {
        GraphBuilder g = new GraphBuilder("products");
        String v = g.input("v", ElemType.FLOAT, 3);
        String m = g.input("m", ElemType.FLOAT, 2, 3, 5);
        String n = g.input("n", ElemType.FLOAT, 4, 3);
        String left = g.matMul(v, m);
        String right = g.matMul(n, v);
        String batched = g.matMul(n, g.input("k", ElemType.FLOAT, 2, 1, 3, 6));
        g.output(batched, "out", ElemType.FLOAT, 2, 1, 4, 6);
        ShapeInference s = ShapeInference.of(g.build(), Map.of());
        assertArrayEquals(new long[] {2, 5}, s.shape(left));
        assertArrayEquals(new long[] {4}, s.shape(right));
        assertArrayEquals(new long[] {2, 1, 4, 6}, s.shape(batched));
    }
}
