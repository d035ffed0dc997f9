package org.clipwsss.runtime.io;

/** Exact conversions of IEEE half precision (F16) and bfloat16 (BF16) bit patterns to float. */
final class HalfFloats {
    private HalfFloats() {
    }

    /** The float equal to the F16 value with the given low 16 bits (NaN payloads are kept, as NumPy does). */
    static float f16ToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float
            return Float.intBitsToFloat(sign | Float.floatToRawIntBits(mantissa * 0x1p-24f));
        }
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    /** The float equal to the BF16 value with the given low 16 bits (bfloat16 is the top half of a float). */
    static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
