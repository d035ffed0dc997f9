package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Half precision as NumPy's float16: exact values, ties to even, subnormals, overflow; and .npy round trips. */
class HalfTest {
    @Test
    void convertsAsNumpyDoes() {
        // (float, the half's bits) pairs as numpy.float16(x).view(numpy.uint16) gives them
        float[] in = {0f, -0f, 1f, -2f, 0.5f, 65504f, 65520f, 1e-8f, 6.1035156e-05f, 5.9604645e-08f, 0.1f, 1.0009766f, 1.0004883f,
            1.0014648f, Float.POSITIVE_INFINITY};
        int[] bits = {0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0x0000, 0x0400, 0x0001, 0x2e66, 0x3c01, 0x3c00, 0x3c02,
            0x7c00};
        for (int i = 0; i < in.length; i++) {
            assertEquals(bits[i], Half.fromFloat(in[i]) & 0xffff, "float16(" + in[i] + ")");
        }
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
        for (int h = 0; h < 0x7c00; h++) {
            assertEquals(h, Half.fromFloat(Half.toFloat((short) h)) & 0xffff, "every finite half round-trips: " + h);
        }
    }

    @Test
    void float16NpyFilesRoundTrip(@TempDir Path tmp) {
        float[] v = {0f, 0.25f, 0.999f, 1f, 0.123456f, 0.5f};
        Path f = tmp.resolve("h.npy");
        Npy.write(f, NpyArray.ofHalves(v, 2, 3));
        NpyArray back = Npy.read(f);
        assertEquals(NpyArray.DType.FLOAT16, back.dtype());
        float[] r = back.toFloats();
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], r[i], 5e-4, "value " + i);
        }
        assertEquals(128 + 12, f.toFile().length(), "a 128-byte header and 2 bytes a value");
    }
}
