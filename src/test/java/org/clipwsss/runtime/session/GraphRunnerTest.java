package org.clipwsss.runtime.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Type conversions at the model boundary (fp16 exports, int32 token ids) and signature checks. */
class GraphRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void float16AndInt32ModelsTakeFloat32AndInt64Arrays() throws Exception {
        GraphBuilder g = new GraphBuilder("fp16");
        String x = g.input("x", ElemType.FLOAT16, "batch", 3);
        String ids = g.input("ids", ElemType.INT32, "batch");
        String doubled = g.cast(g.mul(g.cast(x, ElemType.FLOAT), g.constant("two", 2f)), ElemType.FLOAT16);
        g.output(doubled, "y", ElemType.FLOAT16, "batch", 3);
        g.output(g.cast(ids, ElemType.INT64), "ids_out", ElemType.INT64, "batch");
        Path file = tmp.resolve("fp16.onnx");
        OnnxWriter.write(g.build(), file, Map.of());
        try (SessionFactory f = new SessionFactory(Device.CPU, 1)) {
            GraphRunner r = new GraphRunner(f, file).require(true, "x", 2, OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
            Map<String, NpyArray> out = r.run(Map.of("x", NpyArray.ofFloats(new float[] {1, -0.5f, 1000, 0.1f, 3, 65504}, 2, 3),
                    "ids", NpyArray.ofLongs(new long[] {49406, 7}, 2)), List.of("y", "ids_out"));
            float[] y = out.get("y").floats();
            assertEquals(2f, y[0]);
            assertEquals(-1f, y[1]);
            assertEquals(2000f, y[2]);
            assertEquals(0.2f, y[3], 1e-3, "0.1 in half precision, doubled");
            assertEquals(Float.POSITIVE_INFINITY, y[5], "65504*2 overflows half precision");
            assertArrayEquals(new long[] {49406, 7}, out.get("ids_out").longs());
        }
    }

    @Test
    void signatureMismatchNamesTheFileAndWhatItHas() throws Exception {
        GraphBuilder g = new GraphBuilder("sig");
        String x = g.input("x", ElemType.FLOAT, "batch", 3);
        g.output(g.mul(x, x), "y", ElemType.FLOAT, "batch", 3);
        Path file = tmp.resolve("sig.onnx");
        OnnxWriter.write(g.build(), file, Map.of());
        try (SessionFactory f = new SessionFactory(Device.CPU, 1)) {
            GraphRunner r = new GraphRunner(f, file);
            ClipWsssException e = assertThrows(ClipWsssException.class,
                    () -> r.require(true, "x", 4, OnnxJavaType.FLOAT));
            assertTrue(e.getMessage().contains("sig.onnx") && e.getMessage().contains("rank 4"), e.getMessage());
            e = assertThrows(ClipWsssException.class, () -> r.require(false, "z", 2, OnnxJavaType.FLOAT));
            assertTrue(e.getMessage().contains("expected output 'z'") && e.getMessage().contains("y float"), e.getMessage());
            e = assertThrows(ClipWsssException.class,
                    () -> r.run(Map.of("q", NpyArray.ofFloats(new float[3], 1, 3)), List.of("y")));
            assertTrue(e.getMessage().contains("no input 'q'"), e.getMessage());
            e = assertThrows(ClipWsssException.class,
                    () -> r.run(Map.of("x", NpyArray.ofFloats(new float[4], 1, 4)), List.of("y")));
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("ONNX Runtime failed"),
                    e.getMessage());
        }
    }

    @Test
    void keptOutputsGoToAnotherRunAsTheyAre() throws Exception {
        GraphBuilder a = new GraphBuilder("first");
        String x = a.input("x", ElemType.FLOAT, "n");
        a.output(a.mul(x, x), "sq", ElemType.FLOAT, "n");
        a.output(a.add(x, a.constant("one", 1f)), "plus", ElemType.FLOAT, "n");
        GraphBuilder b = new GraphBuilder("second");
        String sq = b.input("sq", ElemType.FLOAT, "n");
        String s = b.input("s", ElemType.FLOAT, "n");
        b.output(b.sub(sq, s), "diff", ElemType.FLOAT, "n");
        Path first = tmp.resolve("first.onnx");
        Path second = tmp.resolve("second.onnx");
        OnnxWriter.write(a.build(), first, Map.of());
        OnnxWriter.write(b.build(), second, Map.of());
        try (SessionFactory f = new SessionFactory(Device.CPU, 1)) {
            GraphRunner r1 = new GraphRunner(f, first);
            GraphRunner r2 = new GraphRunner(f, second);
            float[] in = {1, -2, 3};
            GraphRunner.Kept kept = r1.runKept(Map.of("x", NpyArray.ofFloats(in, 3)), List.of("sq", "plus"));
            try (kept) {
                assertArrayEquals(new float[] {2, -1, 4}, kept.get("plus").floats());
                float[] own = kept.floats("plus");
                assertArrayEquals(new float[] {2, -1, 4}, own);
                own[0] = 9;
                assertArrayEquals(new float[] {2, -1, 4}, kept.floats("plus"), "each call gives a new array");
                Map<String, NpyArray> out = r2.run(Map.of("s", NpyArray.ofFloats(new float[] {1, 1, 1}, 3)), kept, List.of("sq"),
                        List.of("diff"));
                assertArrayEquals(new float[] {0, 3, 8}, out.get("diff").floats());
                ClipWsssException e = assertThrows(ClipWsssException.class, () -> r2.run(Map.of(), kept, List.of("sq", "s"), List.of("diff")));
                assertTrue(e.getMessage().contains("first.onnx") && e.getMessage().contains("no output 's'"), e.getMessage());
            }
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> kept.get("sq"));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            kept.close(); // a second close does nothing
            assertArrayEquals(new float[] {1, -2, 3}, in, "the input array is not changed");
        }
    }
}
