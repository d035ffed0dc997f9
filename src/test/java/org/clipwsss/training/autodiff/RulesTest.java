package org.clipwsss.training.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Initializer;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every backward rule against central finite differences on a small random graph (float32). */
class RulesTest {
    private static final double TOLERANCE = 1e-2;

    @TempDir
    Path dir;

    /** A case: the shapes of its inputs (all differentiated) and the graph body from them to a tensor. */
    record Case(String name, long[][] shapes, BiFunction<GraphBuilder, List<String>, String> body) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final long[] A = {2, 3, 4};

    static Stream<Arguments> cases() {
        return Stream.of(
                c("Add", s(A, new long[] {3, 1}), (g, x) -> g.add(x.get(0), x.get(1))),
                c("Sub", s(A, new long[] {4}), (g, x) -> g.sub(x.get(0), x.get(1))),
                c("Mul", s(A, new long[] {2, 1, 4}), (g, x) -> g.mul(x.get(0), x.get(1))),
                c("Div", s(A, new long[] {1, 3, 1}), (g, x) -> g.div(x.get(0), x.get(1))),
                c("Neg", s(A), (g, x) -> unary(g, "Neg", x.get(0))),
                c("Identity", s(A), (g, x) -> unary(g, "Identity", x.get(0))),
                c("Sqrt", s(A), (g, x) -> unary(g, "Sqrt", g.mul(x.get(0), x.get(0)))),
                c("Pow", s(A), (g, x) -> g.op("Pow", List.of(x.get(0), g.constant("p", 3f)), Map.of())),
                c("Exp", s(A), (g, x) -> unary(g, "Exp", x.get(0))),
                c("Log", s(A), (g, x) -> unary(g, "Log", g.mul(x.get(0), x.get(0)))),
                c("Sigmoid", s(A), (g, x) -> g.sigmoid(x.get(0))),
                c("Tanh", s(A), (g, x) -> g.tanh(x.get(0))),
                c("Erf", s(A), (g, x) -> g.erf(x.get(0))),
                c("Relu", s(A), (g, x) -> unary(g, "Relu", x.get(0))),
                c("Softmax", s(A), (g, x) -> g.softmax(g.mul(x.get(0), g.constant("k", 3f)), -1)),
                c("LayerNormalization", s(A, new long[] {4}, new long[] {4}),
                        (g, x) -> g.layerNorm(x.get(0), x.get(1), x.get(2), 1e-5f)),
                c("ReduceMean", s(A), (g, x) -> Ops.reduceMean(g, x.get(0), new long[] {1}, true)),
                c("ReduceSum", s(A), (g, x) -> Ops.reduceSum(g, x.get(0), new long[] {0, 2}, false)),
                c("Transpose", s(A), (g, x) -> g.transpose(x.get(0), 2, 0, 1)),
                c("Reshape", s(A), (g, x) -> g.reshape(x.get(0), 6, -1)),
                c("Squeeze+Unsqueeze", s(new long[] {2, 1, 4}), (g, x) -> g.unsqueeze(g.squeeze(x.get(0), 1), 0)),
                c("Concat", s(A, new long[] {2, 1, 4}), (g, x) -> g.concat(1, x.get(0), x.get(1))),
                c("Slice", s(A), (g, x) -> g.slice(x.get(0), new long[] {1, 1}, new long[] {3, Long.MAX_VALUE}, new long[] {1, -1})),
                c("Gather", s(new long[] {5, 4}), (g, x) -> g.gather(x.get(0), g.initializer(
                        Initializer.longs("idx", new long[] {0, 3, 3, -1}, 2, 2)), 0)),
                c("Gather axis 1", s(A), (g, x) -> g.gather(x.get(0), g.constantLongs("idx", 2, 0), 1)),
                c("Expand", s(new long[] {3, 1}), (g, x) -> g.expand(x.get(0), g.constantLongs("shape", 2, 3, 4))),
                c("Clip", s(A), (g, x) -> g.op("Clip", List.of(x.get(0), g.constant("lo", -0.5f), g.constant("hi", 0.6f)), Map.of())),
                c("Where", s(A, new long[] {4}), (g, x) -> g.op("Where", List.of(g.op("Greater",
                        List.of(g.initializer(Initializer.floats("cond", new float[] {1, -1, 1, -1, -1, 1}, 2, 3, 1)),
                                g.constant("zero", 0f)), Map.of()), x.get(0), x.get(1)), Map.of())),
                c("Cast", s(A), (g, x) -> g.cast(x.get(0), ElemType.FLOAT)),
                c("MatMul weight", s(A, new long[] {4, 5}), (g, x) -> g.matMul(x.get(0), x.get(1))),
                c("MatMul batched", s(new long[] {2, 1, 3, 4}, new long[] {2, 4, 5}), (g, x) -> g.matMul(x.get(0), x.get(1))),
                c("quick_gelu", s(A), (g, x) -> g.mul(x.get(0), g.sigmoid(g.mul(x.get(0), g.constant("k", 1.702f))))),
                c("shared value", s(A), (g, x) -> g.mul(g.tanh(x.get(0)), g.softmax(x.get(0), -1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ruleMatchesFiniteDifferences(Case c) {
        Random rnd = new Random(c.name().hashCode());
        List<String> inputs = new ArrayList<>();
        Map<String, NpyArray> feeds = new LinkedHashMap<>();
        for (int i = 0; i < c.shapes().length; i++) {
            inputs.add("x" + i);
            feeds.put("x" + i, GradCheck.random(rnd, c.shapes()[i]));
        }
        Graph forward = withProbeLoss(g -> {
            for (int i = 0; i < c.shapes().length; i++) {
                g.input("x" + i, ElemType.FLOAT, dims(c.shapes()[i]));
            }
            return c.body().apply(g, inputs);
        }, rnd);
        double err = GradCheck.maxRelativeError(forward, "loss", feeds, inputs, dir, 1e-2);
        assertTrue(err < TOLERANCE, c.name() + ": relative error " + err);
    }

    @Test
    void opWithoutRuleOnThePathIsNamed() {
        Graph forward = withProbeLoss(g -> unary(g, "Abs", g.input("x", ElemType.FLOAT, 2, 3)), new Random(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gradients.of(forward, "loss", List.of("x")));
        assertTrue(e.getMessage().contains("op Abs") && e.getMessage().contains("node Abs_0"), e.getMessage());
    }

    @Test
    void frozenWeightsGetNoGradientWorkAndInitializerGradientsMatchInputGradients() {
        Random rnd = new Random(7);
        NpyArray w = GradCheck.random(rnd, 4, 5);
        NpyArray x = GradCheck.random(rnd, 3, 4);
        Graph forward = withProbeLoss(g -> {
            String in = g.input("x", ElemType.FLOAT, 3, 4);
            String weight = g.initializer(Initializer.floats("W", w.toFloats(), 4, 5));
            // an index branch that depends on x but is not differentiable: Shape -> Reshape target
            return g.reshapeTo(g.matMul(in, weight), g.shape(g.matMul(in, weight)));
        }, new Random(99));
        Graph onlyX = Gradients.of(forward, "loss", List.of("x"));
        Graph both = Gradients.of(forward, "loss", List.of("x", "W"));
        assertTrue(onlyX.nodes().size() < both.nodes().size(), onlyX.nodes().size() + " vs " + both.nodes().size());

        Graph asInput = withProbeLoss(g -> {
            String in = g.input("x", ElemType.FLOAT, 3, 4);
            String weight = g.input("W", ElemType.FLOAT, 4, 5);
            return g.reshapeTo(g.matMul(in, weight), g.shape(g.matMul(in, weight)));
        }, new Random(99));
        float[] viaInit = GradCheck.runner(both, dir).run(Map.of("x", x), List.of("grad:W")).get("grad:W").toFloats();
        float[] viaInput = GradCheck.runner(Gradients.of(asInput, "loss", List.of("W")), dir)
                .run(Map.of("x", x, "W", w), List.of("grad:W")).get("grad:W").toFloats();
        assertEquals(20, viaInit.length);
        for (int i = 0; i < viaInit.length; i++) {
            assertEquals(viaInput[i], viaInit[i], 1e-5, "element " + i);
        }
    }

    /** The graph of {@code body} with outputs y and loss = sum(y * probe), for a random probe of y's shape. */
    static Graph withProbeLoss(Function<GraphBuilder, String> body, Random rnd) {
        GraphBuilder sizing = new GraphBuilder("sizing");
        sizing.output(body.apply(sizing), "y", ElemType.FLOAT);
        long[] shape = ShapeInference.of(sizing.build(), Map.of()).shape("y");
        GraphBuilder g = new GraphBuilder("rule");
        String y = body.apply(g);
        g.output(y, "y", ElemType.FLOAT, dims(shape));
        String p = g.initializer(Initializer.floats("probe", GradCheck.random(rnd, shape).toFloats(), shape));
        g.output(Losses.dot(g, y, p), "loss", ElemType.FLOAT);
        return g.build();
    }

    private static Object[] dims(long[] shape) {
        return java.util.Arrays.stream(shape).boxed().toArray();
    }

    private static String unary(GraphBuilder g, String op, String x) {
        return g.op(op, List.of(x), Map.of());
    }

    private static Arguments c(String name, long[][] shapes, BiFunction<GraphBuilder, List<String>, String> body) {
        return Arguments.of(new Case(name, shapes, body));
    }

    private static long[][] s(long[]... shapes) {
        return shapes;
    }
}
