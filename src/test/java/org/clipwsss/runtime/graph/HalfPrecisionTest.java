package org.clipwsss.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.HalfFloats;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The half-precision form of a graph: float signature, fp16 inside, the masking sentinel kept exact, out-of-range refused. */
class HalfPrecisionTest {
    @TempDir
    Path dir;

    /**
     * x [2,3] and a 0/1 mask m [2,3] (int64): h = layer_norm(x W + b); masked = h + (1 - float(m)) * -1e9; y =
     * softmax(masked); z = y * 2 is a second output computed from the first.
     */
    private static Graph masked(float weight) {
        GraphBuilder g = new GraphBuilder("masked");
        String x = g.input("x", ElemType.FLOAT, 2, 3);
        String m = g.input("m", ElemType.INT64, 2, 3);
        String w = g.initializer(Initializer.floats("w", new float[] {1, 0.5f, -0.25f, 0, 2, 1, 0.75f, -1, weight}, 3, 3));
        String h = g.add(g.matMul(x, w), g.constant("b", 0.1f, -0.2f, 0.3f));
        h = g.op("LayerNormalization", List.of(h, g.constant("scale", 1f, 1f, 1f), g.constant("shift", 0f, 0f, 0f)),
                Map.of("axis", -1L, "epsilon", 1e-5f));
        String padding = g.mul(g.sub(g.constant("one", 1f), g.cast(m, ElemType.FLOAT)), g.constant("masked", -1e9f));
        String y = g.softmax(g.add(h, padding), -1);
        g.output(y, "y", ElemType.FLOAT, 2, 3);
        g.output(g.mul(y, g.constant("two", 2f)), "z", ElemType.FLOAT, 2, 3);
        return g.build();
    }

    @Test
    void runsInHalfPrecisionWithAFloatSignature() throws Exception {
        Graph half = HalfPrecision.apply(masked(3f));
        assertEquals(masked(3f).inputs(), half.inputs());
        assertEquals(masked(3f).outputs(), half.outputs());
        assertTrue(half.initializers().values().stream().noneMatch(i -> i.type() == ElemType.FLOAT), "every float constant is fp16");
        assertTrue(half.nodes().stream().filter(n -> n.op().equals("Cast")).anyMatch(n -> n.intAttr("to", 0) == ElemType.FLOAT16.onnxCode()));
        short[] sentinel = (short[]) half.initializers().get("masked").values();
        assertEquals(-65504f, HalfFloats.f16ToFloat(sentinel[0]), "-1e9 saturates to fp16's lowest finite value, not -inf");
        Path ff = dir.resolve("f.onnx");
        Path hf = dir.resolve("h.onnx");
        OnnxWriter.write(masked(3f), ff, Map.of());
        OnnxWriter.write(half, hf, Map.of());
        NpyArray x = NpyArray.ofFloats(new float[] {0.3f, -1.2f, 0.8f, 2f, 0.1f, -0.5f}, 2, 3);
        NpyArray m = NpyArray.ofLongs(new long[] {1, 1, 0, 1, 0, 1}, 2, 3);
        try (SessionFactory s = new SessionFactory(Device.CPU, 1)) {
            Map<String, NpyArray> fo = new GraphRunner(s, ff).run(Map.of("x", x, "m", m), List.of("y", "z"));
            Map<String, NpyArray> ho = new GraphRunner(s, hf).run(Map.of("x", x, "m", m), List.of("y", "z"));
            float[] fy = fo.get("y").toFloats();
            float[] hy = ho.get("y").toFloats();
            assertArrayEquals(fy, hy, 2e-3f);
            assertEquals(0f, hy[2], "a masked position is exactly 0, as in float");
            assertEquals(0f, hy[4]);
            assertArrayEquals(fo.get("z").toFloats(), ho.get("z").toFloats(), 4e-3f);
        }
    }

    @Test
    void aConstantBeyondHalfPrecisionIsAnErrorNamingIt() throws Exception {
        Graph half = HalfPrecision.apply(masked(1e5f));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> OnnxWriter.write(half, dir.resolve("bad.onnx"), Map.of()));
        assertTrue(e.getMessage().contains("constant w") && e.getMessage().contains("100000.0"), e.getMessage());
    }
}
