package org.clipwsss.training.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walker's contract: outputs, argument checks, unreachable values, symbolic input shapes. */
class GradientsTest {
    @TempDir
    Path dir;

    /** loss = sum(x * x) over a [batch, 3] input; y = 2 x is an unrelated output. */
    private static Graph squares() {
        GraphBuilder g = new GraphBuilder("squares");
        String x = g.input("x", ElemType.FLOAT, "batch", 3);
        String unused = g.input("unused", ElemType.FLOAT, 2);
        g.output(g.mul(x, g.constant("two", 2f)), "y", ElemType.FLOAT, "batch", 3);
        g.output(g.mul(unused, unused), "u", ElemType.FLOAT, 2);
        g.output(Ops.reduceSum(g, g.mul(x, x), null, false), "loss", ElemType.FLOAT);
        return g.build();
    }

    @Test
    void keepsForwardOutputsAndAddsOneGradientPerValue() {
        Graph grad = Gradients.of(squares(), "loss", List.of("x", "unused"), Map.of("x", new long[] {2, 3}));
        assertEquals(List.of("y", "u", "loss", "grad:x", "grad:unused"), grad.outputs().stream().map(o -> o.name()).toList());
        NpyArray x = NpyArray.ofFloats(new float[] {1, -2, 3, 0.5f, 0, -1}, 2, 3);
        Map<String, NpyArray> out = GradCheck.runner(grad, dir).run(
                Map.of("x", x, "unused", NpyArray.ofFloats(new float[] {1, 1}, 2)), List.of("loss", "grad:x", "grad:unused"));
        assertEquals(15.25f, out.get("loss").toFloats()[0], 1e-5);
        assertArrayEquals(new float[] {2, -4, 6, 1, 0, -2}, out.get("grad:x").toFloats(), 1e-6f);
        assertArrayEquals(new float[] {0, 0}, out.get("grad:unused").toFloats(), 0f);
    }

    @Test
    void rejectsBadArguments() {
        Map<String, long[]> shapes = Map.of("x", new long[] {2, 3});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Gradients.of(squares(), "nope", List.of("x"), shapes))
                .getMessage().contains("no output nope"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Gradients.of(squares(), "y", List.of("x"), shapes))
                .getMessage().contains("not a scalar"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Gradients.of(squares(), "loss", List.of("two_x"), shapes))
                .getMessage().contains("neither an input nor an initializer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Gradients.of(squares(), "loss", List.of("x")))
                .getMessage().contains("symbolic dims"));
    }

    /** Two scalars of one forward, sum(x^3) and sum(x * w), each differentiated on its own in one graph. */
    @Test
    void ofEachGivesEveryScalarItsOwnGradientOverOneForward() {
        GraphBuilder g = new GraphBuilder("two");
        String x = g.input("x", ElemType.FLOAT, 2, 2);
        String cube = g.mul(g.mul(x, x), x);
        g.output(Ops.reduceSum(g, cube, null, false), "cubes", ElemType.FLOAT);
        g.output(Ops.reduceSum(g, g.mul(x, g.constant("w", 3f)), null, false), "linear", ElemType.FLOAT);
        Graph both = Gradients.ofEach(g.build(), List.of("cubes", "linear"), List.of("x"), Map.of());
        assertEquals(List.of("cubes", "linear", "grad:cubes:x", "grad:linear:x"), both.outputs().stream().map(o -> o.name()).toList());
        int forward = g.build().nodes().size();
        int cubes = Gradients.of(g.build(), "cubes", List.of("x")).nodes().size() - forward;
        int linear = Gradients.of(g.build(), "linear", List.of("x")).nodes().size() - forward;
        assertEquals(forward + cubes + linear, both.nodes().size(), "one forward, each scalar's backward once");
        NpyArray in = NpyArray.ofFloats(new float[] {1, -2, 0.5f, 3}, 2, 2);
        Map<String, NpyArray> out = GradCheck.runner(both, dir).run(Map.of("x", in), List.of("grad:cubes:x", "grad:linear:x"));
        assertArrayEquals(new float[] {3, 12, 0.75f, 27}, out.get(Gradients.gradName("cubes", "x")).toFloats(), 1e-5f);
        assertArrayEquals(new float[] {3, 3, 3, 3}, out.get(Gradients.gradName("linear", "x")).toFloats(), 1e-6f);
    }

    @Test
    void backwardIntoStopsAtAValueInsideTheGraph() {
        GraphBuilder g = new GraphBuilder("inner");
        String x = g.input("x", ElemType.FLOAT, 2, 2);
        String y = g.mul(x, x);
        g.output(Ops.reduceSum(g, g.mul(g.mul(y, y), g.constant("w", 0.5f)), null, false), "loss", ElemType.FLOAT);
        Graph forward = g.build();
        GraphBuilder b = GraphBuilder.extend(forward);
        String grad = Gradients.backwardInto(b, forward, Map.of(), "loss", List.of(y)).get(y);
        b.output(grad, "dy", ElemType.FLOAT, 2, 2);
        Graph built = b.build();
        // nothing of the backward goes past y: no new op reads x
        assertEquals(1, built.nodes().stream().filter(n -> n.inputs().contains(x)).count());
        NpyArray in = NpyArray.ofFloats(new float[] {1, -2, 0.5f, 3}, 2, 2);
        float[] dy = GradCheck.runner(built, dir).run(Map.of("x", in), List.of("dy")).get("dy").toFloats();
        assertArrayEquals(new float[] {1, 4, 0.25f, 9}, dy, 1e-6f, "d(0.5 y^2)/dy = y = x^2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gradients.backwardInto(GraphBuilder.extend(forward), forward, Map.of(), "loss", List.of("nowhere")));
        assertTrue(e.getMessage().contains("nowhere is not a value of graph inner"), e.getMessage());
    }

    /**
     * x [1, T, 4] -> y = x w + b; attention-like z = softmax(y y^T) y; the tokens after the first averaged; a flattening
     * reshape; loss = sum(pooled c) + sum(flat^2): the shapes that CLIP-ES's tail has along its token axis.
     */
    private static Graph tokens(Object t) {
        GraphBuilder g = new GraphBuilder("tokens");
        String x = g.input("x", ElemType.FLOAT, 1, t, 4);
        String y = g.add(g.mul(x, g.constant("w", 0.5f, -1f, 2f, 0.25f)), g.constant("b", 0.1f));
        String z = g.matMul(g.softmax(g.matMul(y, g.transpose(y, 0, 2, 1)), -1), y);
        String patches = g.slice(z, new long[] {1}, new long[] {Long.MAX_VALUE}, new long[] {1});
        String pooled = g.op("ReduceMean", List.of(patches), Map.of("axes", new long[] {1}, "keepdims", 0L));
        String flat = g.reshape(z, 0, -1);
        // the class token (an end before the axis' end) and the last token (a start counted from the end)
        String first = g.slice(z, new long[] {0}, new long[] {1}, new long[] {1});
        String last = g.slice(y, new long[] {-1}, new long[] {Long.MAX_VALUE}, new long[] {1});
        String loss = g.add(Ops.reduceSum(g, g.mul(pooled, g.constant("c", 1f, -2f, 0.5f, 3f)), null, false),
                Ops.reduceSum(g, g.mul(flat, flat), null, false));
        loss = g.add(loss, g.add(Ops.reduceSum(g, g.mul(first, g.constant("d", 0.5f, 1f, -1f, 2f)), null, false),
                Ops.reduceSum(g, g.mul(g.mul(last, last), last), null, false)));
        g.output(loss, "loss", ElemType.FLOAT);
        return g.build();
    }

    @Test
    void ofEachAnySizeServesEveryTokenCount() {
        Graph any = Gradients.ofEachAnySize(tokens("tokens"), List.of("loss"), List.of("x"), Map.of("x", new long[] {1, 5, 4}),
                Map.of("x", new long[] {1, 9, 4}));
        java.util.Random rnd = new java.util.Random(11);
        for (int t : new int[] {2, 3, 7}) {
            Graph perSize = Gradients.ofEach(tokens(t), List.of("loss"), List.of("x"), Map.of());
            NpyArray x = GradCheck.random(rnd, 1, t, 4);
            String grad = Gradients.gradName("loss", "x");
            float[] expected = GradCheck.runner(perSize, dir).run(Map.of("x", x), List.of(grad)).get(grad).toFloats();
            float[] got = GradCheck.runner(any, dir).run(Map.of("x", x), List.of(grad)).get(grad).toFloats();
            assertArrayEquals(expected, got, 1e-6f, t + " tokens");
        }
    }

    @Test
    void ofEachAnySizeRefusesAGradientThatBakesInASize() {
        GraphBuilder g = new GraphBuilder("gathered_token");
        String x = g.input("x", ElemType.FLOAT, 1, "tokens", 4);
        // a Gather with constant indices along the token axis: its gradient is a one-hot matrix as long as the axis
        String picked = g.gather(x, g.constantLongs("index", 0), 1);
        g.output(Ops.reduceSum(g, g.mul(picked, picked), null, false), "loss", ElemType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gradients.ofEachAnySize(g.build(),
                List.of("loss"), List.of("x"), Map.of("x", new long[] {1, 5, 4}), Map.of("x", new long[] {1, 9, 4})));
        assertTrue(e.getMessage().contains("depends on the sizes"), e.getMessage());
    }
}
