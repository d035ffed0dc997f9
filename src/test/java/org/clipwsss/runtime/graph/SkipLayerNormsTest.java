package org.clipwsss.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Add + LayerNormalization pairs fused into ONNX Runtime's SkipLayerNormalization: the same values, the sums still there. */
class SkipLayerNormsTest {
    private static final int D = 8;

    @TempDir
    Path dir;

    private static long count(Graph g, String op) {
        return g.nodes().stream().filter(n -> n.op().equals(op)).count();
    }

    private static String matrix(GraphBuilder g, String name, long seed) {
        Random r = new Random(seed);
        float[] w = new float[D * D];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.5f;
        }
        return g.initializer(Initializer.floats(name, w, D, D));
    }

    private static String norm(GraphBuilder g, String x, String name) {
        float[] scale = new float[D];
        float[] shift = new float[D];
        for (int i = 0; i < D; i++) {
            scale[i] = 1f + 0.1f * i;
            shift[i] = 0.05f * i - 0.2f;
        }
        return g.layerNorm(x, g.constant(name + "_scale", scale), g.constant(name + "_shift", shift), 1e-5f);
    }

    /**
     * A small residual stream over x [B,T,D]: h0 = LN(x) (no sum); s1 = x + h0 W1 and h1 = LN(s1) (residual sums,
     * {@link GraphBuilder#residualAdd}); s2 = s1 + h1 W2 (s1 read again) and h2 = LN(s2); then pairs that must stay
     * apart: LN(x + p) with p [T,D] (a plain Add, shapes not vouched for), LN(s2 + bias) (plain), LN(h1 + h2) asked for
     * its mean, LN(h0 + h2) with a computed scale. Outputs h2, s1 and the others.
     */
    private static Graph stream() {
        GraphBuilder g = new GraphBuilder("stream");
        String x = g.input("x", ElemType.FLOAT, "batch", "tokens", D);
        String p = g.input("p", ElemType.FLOAT, "tokens", D);
        String h0 = norm(g, x, "ln0");
        String s1 = g.residualAdd(x, g.matMul(h0, matrix(g, "w1", 1)));
        String h1 = norm(g, s1, "ln1");
        String s2 = g.residualAdd(s1, g.matMul(h1, matrix(g, "w2", 2)));
        String h2 = norm(g, s2, "ln2");
        g.output(h2, "h2", ElemType.FLOAT, "batch", "tokens", D);
        g.output(s1, "s1", ElemType.FLOAT, "batch", "tokens", D);
        g.output(norm(g, g.add(x, p), "ln_positions"), "positioned", ElemType.FLOAT, "batch", "tokens", D);
        float[] bias = new float[D];
        java.util.Arrays.fill(bias, 0.3f);
        g.output(norm(g, g.add(s2, g.constant("bias", bias)), "ln3"), "biased", ElemType.FLOAT, "batch", "tokens", D);
        List<String> withMean = g.op("LayerNormalization", List.of(g.residualAdd(h1, h2),
                g.constant("ln4_scale", new float[] {1, 1, 1, 1, 1, 1, 1, 1}), g.constant("ln4_shift", new float[D])),
                Map.of("axis", -1L, "epsilon", 1e-5f), 2);
        g.output(withMean.get(0), "normed", ElemType.FLOAT, "batch", "tokens", D);
        String computedScale = g.op("ReduceMean", List.of(h2), Map.of("axes", new long[] {0, 1}, "keepdims", 0L));
        String scaled = g.layerNorm(g.residualAdd(h0, h2), computedScale, g.constant("ln5_shift", new float[D]), 1e-5f);
        g.output(scaled, "scaled", ElemType.FLOAT, "batch", "tokens", D);
        return g.build();
    }

    private static NpyArray random(long seed, long... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 2f + 0.5f;
        }
        return NpyArray.ofFloats(v, shape);
    }

    @Test
    void fusesResidualSumsAndLeavesTheRest() throws Exception {
        Graph plain = stream();
        Graph fused = SkipLayerNorms.fuse(plain);
        assertEquals(2, count(fused, "SkipLayerNormalization"), fused.nodes().toString());
        assertEquals(count(plain, "LayerNormalization") - 2, count(fused, "LayerNormalization"));
        assertEquals(count(plain, "Add") - 2, count(fused, "Add"));
        List<Node> skips = fused.nodes().stream().filter(n -> n.op().equals("SkipLayerNormalization")).toList();
        for (Node n : skips) {
            assertEquals(Node.MICROSOFT, n.domain());
            assertEquals(1e-5f, n.floatAttr("epsilon", 0f));
        }
        assertEquals(4, skips.get(0).outputs().size(), "s1 is read again: the fused node writes the sum");
        assertEquals(List.of("x"), skips.get(0).inputs().subList(0, 1));
        assertEquals(4, skips.get(1).outputs().size(), "s2 is read by the biased sum too");
        assertSame(fused, SkipLayerNorms.fuse(fused), "nothing left to fuse");

        Path pf = dir.resolve("plain.onnx");
        Path ff = dir.resolve("fused.onnx");
        OnnxWriter.write(plain, pf, Map.of());
        OnnxWriter.write(fused, ff, Map.of());
        List<String> outs = List.of("h2", "s1", "positioned", "biased", "normed", "scaled");
        try (SessionFactory s = new SessionFactory(Device.CPU, 1)) {
            GraphRunner a = new GraphRunner(s, pf);
            GraphRunner b = new GraphRunner(s, ff);
            for (long[] bt : new long[][] {{1, 5}, {2, 9}}) {
                Map<String, NpyArray> feeds = Map.of("x", random(bt[0] * 10 + bt[1], bt[0], bt[1], D), "p", random(7, bt[1], D));
                Map<String, NpyArray> ra = a.run(feeds, outs);
                Map<String, NpyArray> rb = b.run(feeds, outs);
                for (String o : outs) {
                    assertArrayEquals(ra.get(o).shape(), rb.get(o).shape(), o);
                    assertArrayEquals(ra.get(o).toFloats(), rb.get(o).toFloats(), 2e-5f, o + " at " + bt[0] + "x" + bt[1]);
                }
            }
        }
    }

    /**
     * Why only vouched-for sums are fused: ONNX Runtime's fused kernel, given a first operand without the batch the
     * second has, ran without an error on part of the data. A plain Add is left alone and broadcasts as ONNX says.
     */
    @Test
    void aPlainAddIsNeverFused() throws Exception {
        GraphBuilder g = new GraphBuilder("narrow_first");
        String a = g.input("a", ElemType.FLOAT, 1, "tokens", D);
        String b = g.input("b", ElemType.FLOAT, "batch", "tokens", D);
        g.output(norm(g, g.add(a, b), "ln"), "y", ElemType.FLOAT, "batch", "tokens", D);
        Graph plain = g.build();
        assertSame(plain, SkipLayerNorms.fuse(plain));
        Path f = dir.resolve("narrow.onnx");
        OnnxWriter.write(plain, f, Map.of());
        try (SessionFactory s = new SessionFactory(Device.CPU, 1)) {
            assertArrayEquals(new long[] {3, 4, D}, new GraphRunner(s, f).run(Map.of("a", random(1, 1, 4, D), "b", random(2, 3, 4, D)),
                    List.of("y")).get("y").shape());
        }
    }

    @Test
    void theWriterImportsTheContribDomainOnlyWhenUsed() {
        GraphBuilder g = new GraphBuilder("domains");
        String x = g.input("x", ElemType.FLOAT, 2, D);
        g.output(norm(g, g.residualAdd(x, x), "ln"), "y", ElemType.FLOAT, 2, D);
        String plain = new String(OnnxWriter.toBytes(g.build(), Map.of()), java.nio.charset.StandardCharsets.ISO_8859_1);
        String fused = new String(OnnxWriter.toBytes(SkipLayerNorms.fuse(g.build()), Map.of()),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(!plain.contains(Node.MICROSOFT) && fused.contains(Node.MICROSOFT));
        Node only = SkipLayerNorms.fuse(g.build()).nodes().stream().filter(n -> n.op().equals("SkipLayerNormalization"))
                .findFirst().orElseThrow();
        assertEquals(1, only.outputs().size(), "a sum nothing else reads is not written");
        Graph other = new Graph("other", g.build().inputs(), g.build().outputs(),
                List.of(new Node("n", "Relu", List.of("x"), List.of("y"), Map.of(), "ai.example")), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(other, Map.of()));
        assertTrue(e.getMessage().contains("ai.example"), e.getMessage());
    }
}
