package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void everyF16ValueMatchesNumpy() throws Exception {
        ByteBuffer all = ByteBuffer.allocate(4 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits = 0; bits < 65536; bits++) {
            all.putFloat(HalfFloats.f16ToFloat(bits));
        }
        // hashlib.sha256(np.arange(65536, dtype=np.uint16).view(np.float16).astype('<f4').tobytes()).hexdigest()
        assertEquals("f4fdd084f85448d28c84f20fabf4022ba938e40b7f382d2727dec6f41ac6267a",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.array())));
    }

    @Test
    void everyFiniteF16ValueMatchesTheDefinition() {
        for (int bits = 0; bits < 65536; bits++) {
            int exponent = (bits >> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float actual = HalfFloats.f16ToFloat(bits);
            if (exponent == 0x1f) {
                assertTrue(mantissa == 0 ? actual == sign * Double.POSITIVE_INFINITY : Float.isNaN(actual));
            } else {
                double expected = exponent == 0 ? sign * mantissa * 0x1p-24 : sign * (1024 + mantissa) * Math.pow(2, exponent - 25);
                assertEquals(expected, actual, 0.0, "bits " + Integer.toHexString(bits));
                assertEquals(bits >= 0x8000, (Float.floatToRawIntBits(actual) & 0x80000000) != 0, "sign of zero");
            }
        }
    }

    @Test
    void bf16IsTheTopHalfOfAFloat() {
        assertEquals(1f, HalfFloats.bf16ToFloat(0x3f80));
        assertEquals(-3f, HalfFloats.bf16ToFloat(0xc040));
        assertEquals(3.140625f, HalfFloats.bf16ToFloat(0x4049));
        assertEquals(Float.intBitsToFloat(0x00010000), HalfFloats.bf16ToFloat(0x0001)); // subnormal
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.bf16ToFloat(0x7f80));
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(0x7fc0)));
        assertEquals(0x80000000, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(0x8000)));
        assertEquals(-3f, HalfFloats.bf16ToFloat((short) 0xc040)); // sign-extended input
    }

    @Test
    void floatToF16RoundTripsEveryValueAndRoundsToNearestEven() {
        for (int bits = 0; bits < 65536; bits++) {
            float f = HalfFloats.f16ToFloat(bits);
            int back = HalfFloats.floatToF16(f) & 0xffff;
            if (Float.isNaN(f)) {
                assertTrue((back & 0x7c00) == 0x7c00 && (back & 0x3ff) != 0, "NaN stays NaN");
            } else {
                assertEquals(bits, back, "bits " + Integer.toHexString(bits));
            }
        }
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties to even -> 1.0 (0x3c00)
        assertEquals(0x3c00, HalfFloats.floatToF16(1f + 0x1p-11f) & 0xffff);
        // 1 + 3*2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even) -> 0x3c02
        assertEquals(0x3c02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f) & 0xffff);
        assertEquals(0x7c00, HalfFloats.floatToF16(70000f) & 0xffff, "overflow to infinity");
        assertEquals(0x0001, HalfFloats.floatToF16(0x1p-24f) & 0xffff, "smallest subnormal");
        assertEquals(0x0000, HalfFloats.floatToF16(0x1p-26f) & 0xffff, "underflow to zero");
    }
}
