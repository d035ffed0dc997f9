package org.clipwsss.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The int8 dynamic-quantization pass: structure, weight quantization, and ONNX Runtime's integer arithmetic. */
class DynamicQuantizationTest {
    @TempDir
    Path tmp;

    private static float[] random(SplittableRandom rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return v;
    }

    /**
     * x [2,3,4] -> a = x W1 (W1 [4,5] as stored) -> b = a Transpose(W2 [6,5]) + bias -> also c = Gemm(x0 [3,4], W3 [5,4],
     * C, transB) and d = x W1 again (the same activation and weight: one DynamicQuantizeLinear, one int8 copy), and
     * e = x Transpose(Reshape(P)) (not a weight initializer behind the Transpose: stays float).
     */
    private static Graph sample(float[] w1, float[] w2, float[] w3, float[] bias, float[] p) {
        GraphBuilder g = new GraphBuilder("sample");
        String x = g.input("x", ElemType.FLOAT, 2, 3, 4);
        String x0 = g.input("x0", ElemType.FLOAT, 3, 4);
        String a = g.matMul(x, g.initializer(Initializer.floats("w1", w1, 4, 5)));
        String b = g.add(g.matMul(a, g.transpose(g.initializer(Initializer.floats("w2", w2, 6, 5)), 1, 0)),
                g.initializer(Initializer.floats("bias", bias, 6)));
        String c = g.op("Gemm", List.of(x0, g.initializer(Initializer.floats("w3", w3, 5, 4)),
                g.constant("gemm_bias", 1f, 2f, 3f, 4f, 5f)), Map.of("transB", 1L));
        String d = g.matMul(x, "w1");
        String e = g.matMul(x, g.transpose(g.reshape(g.initializer(Initializer.floats("p", p, 2, 2, 4)), 4, 4), 1, 0));
        g.output(b, "b", ElemType.FLOAT, 2, 3, 6);
        g.output(c, "c", ElemType.FLOAT, 3, 5);
        g.output(d, "d", ElemType.FLOAT, 2, 3, 5);
        g.output(e, "e", ElemType.FLOAT, 2, 3, 4);
        return g.build();
    }

    private static long count(Graph g, String op) {
        return g.nodes().stream().filter(n -> n.op().equals(op)).count();
    }

    @Test
    void weightProductsBecomeIntegerProductsAndEverythingElseStays() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] w1 = random(rnd, 20, 0.5);
        float[] w2 = random(rnd, 30, 0.5);
        float[] w3 = random(rnd, 20, 0.5);
        float[] bias = random(rnd, 6, 0.1);
        float[] p = random(rnd, 16, 0.5);
        Graph f = sample(w1, w2, w3, bias, p);
        Graph q = DynamicQuantization.apply(f);
        // w1 twice (x), w2 (a), w3 (x0): three activations quantized, four integer products
        assertEquals(4, count(q, "MatMulInteger"));
        assertEquals(3, count(q, "DynamicQuantizeLinear"));
        assertEquals(1, count(q, "MatMul"), "the product with the reshaped constant stays float");
        assertEquals(0, count(q, "Gemm"));
        assertEquals(1, count(q, "Transpose"), "the folded weight transpose is gone, the other one stays");
        for (String w : new String[] {"w1", "w2", "w3"}) {
            assertFalse(q.initializers().containsKey(w), w + ": the float copy is dropped");
        }
        assertTrue(q.initializers().containsKey("p"));
        assertEquals(3, q.initializers().values().stream().filter(i -> i.type() == ElemType.INT8 && i.shape().length == 2).count());
        Initializer w2q = q.initializers().get("w2_transposed_quantized");
        assertArrayEquals(new long[] {5, 6}, w2q.shape(), "stored [out,in], quantized [in,out]");
        // one byte per value, [-127, 127]
        assertEquals(30, w2q.rawData().remaining());
        for (byte v : (byte[]) w2q.values()) {
            assertTrue(v != Byte.MIN_VALUE);
        }

        SplittableRandom in = new SplittableRandom(9);
        NpyArray x = NpyArray.ofFloats(random(in, 24, 1), 2, 3, 4);
        NpyArray x0 = NpyArray.ofFloats(random(in, 12, 1), 3, 4);
        Path ff = tmp.resolve("f.onnx");
        Path qf = tmp.resolve("q.onnx");
        OnnxWriter.write(f, ff, Map.of());
        OnnxWriter.write(q, qf, Map.of());
        try (SessionFactory s = new SessionFactory(Device.CPU, 1)) {
            List<String> outs = List.of("b", "c", "d", "e");
            Map<String, NpyArray> fo = new GraphRunner(s, ff).run(Map.of("x", x, "x0", x0), outs);
            Map<String, NpyArray> qo = new GraphRunner(s, qf).run(Map.of("x", x, "x0", x0), outs);
            assertArrayEquals(fo.get("e").floats(), qo.get("e").floats(), "untouched float product");
            // d = x W1 through the integer kernels equals the same arithmetic done here exactly
            float[] expectD = simulated(x.floats(), 6, 4, w1, 5, false);
            assertArrayEquals(expectD, qo.get("d").floats(), 1e-5f);
            for (String o : List.of("b", "c", "d")) {
                float[] a = fo.get(o).floats();
                float[] b = qo.get(o).floats();
                double maxAbs = 0;
                double err = 0;
                for (int i = 0; i < a.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
                    err = Math.max(err, Math.abs(a[i] - b[i]));
                }
                assertTrue(err < 0.03 * maxAbs, o + ": int8 error " + err + " vs magnitude " + maxAbs);
            }
        }
    }

    /**
     * A gradient graph's {@code dy W^T} of a weight stored [out,in]: MatMul(dy, Transpose(Transpose(W))) reads W itself;
     * it is quantized like a plain weight and both Transposes go once nothing else reads them.
     */
    @Test
    void aChainOfTransposesFoldsIntoTheQuantizedCopy() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] w = random(rnd, 20, 0.5);
        GraphBuilder g = new GraphBuilder("chain");
        String dy = g.input("dy", ElemType.FLOAT, 3, 4);
        String inner = g.transpose(g.initializer(Initializer.floats("w", w, 4, 5)), 1, 0);
        g.output(g.matMul(dy, g.transpose(inner, 1, 0)), "dx", ElemType.FLOAT, 3, 5);
        Graph f = g.build();
        Graph q = DynamicQuantization.apply(f);
        assertEquals(1, count(q, "MatMulInteger"));
        assertEquals(0, count(q, "Transpose"), "both transposes dropped");
        assertFalse(q.initializers().containsKey("w"));
        NpyArray x = NpyArray.ofFloats(random(new SplittableRandom(3), 12, 1), 3, 4);
        Path qf = tmp.resolve("chain.onnx");
        OnnxWriter.write(q, qf, Map.of());
        try (SessionFactory s = new SessionFactory(Device.CPU, 1)) {
            float[] got = new GraphRunner(s, qf).run(Map.of("dy", x), List.of("dx")).get("dx").floats();
            assertArrayEquals(simulated(x.floats(), 3, 4, w, 5, false), got, 1e-5f);
        }
    }

    /** ONNX's DynamicQuantizeLinear of x, then the int8 product with W quantized per column, rescaled. */
    private static float[] simulated(float[] x, int rows, int in, float[] w, int out, boolean transposed) {
        float min = 0;
        float max = 0;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float xs = (max - min) / 255f;
        int zp = (int) Math.max(0, Math.min(255, Math.rint(-min / xs)));
        DynamicQuantization.Weights q = DynamicQuantization.quantize(w, in, out, transposed);
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < out; c++) {
                long acc = 0;
                for (int k = 0; k < in; k++) {
                    int xq = (int) Math.max(0, Math.min(255, Math.rint(x[r * in + k] / xs) + zp));
                    acc += (long) (xq - zp) * q.values()[k * out + c];
                }
                y[r * out + c] = acc * (xs * q.scales()[c]);
            }
        }
        return y;
    }

    @Test
    void weightsArePerColumnSymmetricInt8() {
        // stored [out=2, in=3]: column 0 of the product is row 0 here
        float[] w = {1f, -0.5f, 0.25f, 0f, 0f, 0f};
        DynamicQuantization.Weights q = DynamicQuantization.quantize(w, 3, 2, true);
        assertArrayEquals(new float[] {1f / 127, 1f}, q.scales(), "an all-zero column gets scale 1");
        // [in,out] row-major: (1, 0), (-0.5, 0), (0.25, 0) -> 127, round-half-even(-63.5) = -64, round(31.75) = 32
        assertArrayEquals(new byte[] {127, 0, -64, 0, 32, 0}, q.values());
        DynamicQuantization.Weights same = DynamicQuantization.quantize(new float[] {1f, 0f, -0.5f, 0f, 0.25f, 0f}, 3, 2, false);
        assertArrayEquals(q.values(), same.values());
        assertThrows(IllegalArgumentException.class, () -> DynamicQuantization.quantize(new float[] {Float.NaN, 1}, 2, 1, false));
    }

    @Test
    void aGraphWithoutWeightProductsIsReturnedAsItIs() {
        GraphBuilder g = new GraphBuilder("plain");
        String x = g.input("x", ElemType.FLOAT, 2, 2);
        g.output(g.matMul(x, x), "y", ElemType.FLOAT, 2, 2);
        Graph plain = g.build();
        assertSame(plain, DynamicQuantization.apply(plain));
        Graph excluded = sample(new float[20], new float[30], new float[20], new float[6], new float[16]);
        assertSame(excluded, DynamicQuantization.apply(excluded, name -> false));
    }
}
