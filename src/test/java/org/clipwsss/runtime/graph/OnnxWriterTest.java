package org.clipwsss.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphs written by the project's own ONNX writer load and compute correctly in ONNX Runtime. */
class OnnxWriterTest {
    @TempDir
    Path tmp;

    @Test
    void smallGraphRunsInOnnxRuntime() throws Exception {
        GraphBuilder g = new GraphBuilder("test");
        String x = g.input("x", ElemType.FLOAT, "batch", 3);
        String w = g.initializer(Initializer.floats("w", new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        // y = softmax(x W^T * 0.5) ; z = layer-normalised x ; s = sum over a reshape/transpose round trip
        String y = g.softmax(g.mul(g.matMul(x, g.transpose(w, 1, 0)), g.constant("half", 0.5f)), -1);
        String z = g.layerNorm(x, g.constant("gamma", 1, 1, 1), g.constant("beta", 0, 0, 0), 1e-5f);
        String t = g.reshape(g.transpose(g.reshape(x, -1, 3, 1), 0, 2, 1), -1, 3);
        g.output(y, "y", ElemType.FLOAT, "batch", 2);
        g.output(z, "z", ElemType.FLOAT, "batch", 3);
        g.output(t, "t", ElemType.FLOAT, "batch", 3);
        Path file = tmp.resolve("test.onnx");
        OnnxWriter.write(g.build(), file, Map.of("k", "v"));
        try (SessionFactory f = new SessionFactory(Device.CPU, 1)) {
            Map<String, NpyArray> out = new GraphRunner(f, file).run(
                    Map.of("x", NpyArray.ofFloats(new float[] {1, 0, -1, 0.5f, 0.25f, 2}, 2, 3)), List.of("y", "z", "t"));
            float[] y0 = out.get("y").floats();
            // row 0: x W^T = [1*1-3, 4-6] = [-2, -2] -> softmax [0.5, 0.5]
            assertEquals(0.5f, y0[0], 1e-6);
            // row 1: [0.5+0.5+6, 2+1.25+12] = [7, 15.25] * 0.5 -> softmax
            double e = Math.exp(0.5 * 7 - 0.5 * 15.25);
            assertEquals(e / (1 + e), y0[2], 1e-6);
            float[] zs = out.get("z").floats();
            double sd = Math.sqrt(2.0 / 3 + 1e-5);
            assertEquals(1 / sd, zs[0], 1e-5);
            assertArrayEquals(new float[] {1, 0, -1, 0.5f, 0.25f, 2}, out.get("t").floats());
        }
    }

    @Test
    void varintsAndSizesAreConsistent() {
        ProtoMessage m = new ProtoMessage().varint(1, 300).varint(2, -1).string(3, "é").fixed32(4, 1.5f);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(0, out.size());
        try {
            m.writeTo(out);
        } catch (java.io.IOException ex) {
            throw new AssertionError(ex);
        }
        assertEquals(m.size(), out.size());
        byte[] b = out.toByteArray();
        // field 1 varint 300 = 0x08 0xAC 0x02
        assertEquals(0x08, b[0] & 0xff);
        assertEquals(0xAC, b[1] & 0xff);
        assertEquals(0x02, b[2] & 0xff);
        // -1 as a 64-bit varint takes 10 bytes
        assertEquals(10, ProtoMessage.varintSize(-1));
    }

    @Test
    void duplicateValueNamesAndUnknownInputsAreRejected() {
        GraphBuilder g = new GraphBuilder("bad");
        g.input("x", ElemType.FLOAT, 1);
        assertThrows(IllegalArgumentException.class, () -> g.input("x", ElemType.FLOAT, 1));
        assertThrows(IllegalArgumentException.class, () -> g.add("x", "nope"));
        assertThrows(IllegalStateException.class, g::build);
    }
}
