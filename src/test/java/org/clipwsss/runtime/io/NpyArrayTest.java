package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.NpyArray.DType;
import org.junit.jupiter.api.Test;

class NpyArrayTest {

    @Test
    void wrappedFloatsAndTheirBufferAreNotCopied() {
        float[] data = {1, 2, 3, 4};
        NpyArray a = NpyArray.wrapFloats(data, 2, 2);
        java.nio.FloatBuffer b = a.floatBuffer();
        assertTrue(b.isReadOnly());
        data[0] = 7;
        assertEquals(7f, b.get(0), "the buffer views the array");
        assertEquals(7f, a.floats()[0], "the array is the one given");
        assertThrows(IllegalArgumentException.class, () -> NpyArray.wrapFloats(data, 3));
        java.nio.FloatBuffer longs = NpyArray.ofLongs(new long[] {5, 6}, 2).floatBuffer();
        assertEquals(6f, longs.get(1));
    }

    @Test
    void factoriesCheckTheShapeAgainstTheData() {
        NpyArray a = NpyArray.ofFloats(new float[6], 2, 3);
        assertEquals(DType.FLOAT32, a.dtype());
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals(6, a.size());
        assertEquals(2, a.ndim());
        assertEquals("float32 [2, 3]", a.toString());

        NpyArray scalar = NpyArray.ofLongs(new long[] {5}); // 0-d
        assertEquals(0, scalar.ndim());
        assertEquals(1, scalar.size());
        assertEquals(0, NpyArray.ofInts(new int[0], 4, 0, 2).size());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NpyArray.ofFloats(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("[2, 3] needs 6 elements but the data has 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofInts(new int[0], -1, 0));
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofInts(new int[0], 1L << 62, 1L << 62, 0));
    }

    @Test
    void isImmutable() {
        float[] data = {1, 2, 3};
        long[] shape = {3};
        NpyArray a = NpyArray.ofFloats(data, shape);
        data[0] = 99;
        shape[0] = 1;
        a.floats()[1] = 99;
        a.shape()[0] = 7;
        assertArrayEquals(new float[] {1, 2, 3}, a.floats());
        assertArrayEquals(new long[] {3}, a.shape());
    }

    @Test
    void typedAccessorsRejectOtherDtypes() {
        NpyArray ints = NpyArray.ofInts(new int[] {1, -2}, 2);
        ClipWsssException e = assertThrows(ClipWsssException.class, ints::floats);
        assertEquals("expected a float32 array but got int32 [2]", e.getMessage());
        assertThrows(ClipWsssException.class, ints::longs);
        assertThrows(ClipWsssException.class, () -> NpyArray.ofFloats(new float[1], 1).ints());
        assertArrayEquals(new int[] {1, -2}, ints.ints());
    }

    @Test
    void conversions() {
        NpyArray ints = NpyArray.ofInts(new int[] {1, -2}, 2);
        assertArrayEquals(new float[] {1, -2}, ints.toFloats());
        assertArrayEquals(new long[] {1, -2}, ints.toLongs());
        NpyArray longs = NpyArray.ofLongs(new long[] {1L << 40, 3}, 2);
        assertArrayEquals(new float[] {1L << 40, 3}, longs.toFloats());
        assertArrayEquals(new long[] {1L << 40, 3}, longs.toLongs());
        assertArrayEquals(new float[] {0.5f}, NpyArray.ofFloats(new float[] {0.5f}).toFloats());
        assertThrows(ClipWsssException.class, () -> NpyArray.ofFloats(new float[] {0.5f}).toLongs());
    }

    @Test
    void reshape() {
        NpyArray a = NpyArray.ofInts(new int[] {0, 1, 2, 3, 4, 5}, 6);
        NpyArray b = a.reshape(3, 2);
        assertArrayEquals(new long[] {3, 2}, b.shape());
        assertArrayEquals(a.ints(), b.ints());
        assertArrayEquals(new long[] {2, 3}, a.reshape(-1, 3).shape());
        assertArrayEquals(new long[] {1, 6, 1}, a.reshape(1, -1, 1).shape());
        assertArrayEquals(new long[] {}, NpyArray.ofInts(new int[] {7}, 1, 1).reshape().shape());
        assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(-2, -3));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(0, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, -1));
        assertEquals("cannot reshape int32 [6] to [4, *]", e.getMessage());
    }

    @Test
    void requireShapeNamesTheFileAndBothShapes() {
        NpyArray a = NpyArray.ofLongs(new long[6], 2, 3);
        assertSame(a, a.requireShape(Path.of("ids.npy"), "input_ids", -1, 3));
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> a.requireShape(Path.of("ids.npy"), "input_ids", -1, 77));
        assertEquals("ids.npy: input_ids has shape [2, 3] but [*, 77] was expected", e.getMessage());
        assertThrows(ClipWsssException.class, () -> a.requireShape(Path.of("ids.npy"), "input_ids", 2, 3, 1));
        assertThrows(ClipWsssException.class, () -> a.requireShape(Path.of("ids.npy"), "input_ids", -1));
    }

    @Test
    void equality() {
        assertEquals(NpyArray.ofFloats(new float[] {1, Float.NaN}, 2), NpyArray.ofFloats(new float[] {1, Float.NaN}, 2));
        assertEquals(NpyArray.ofFloats(new float[] {1, 2}, 2).hashCode(), NpyArray.ofFloats(new float[] {1, 2}, 2).hashCode());
        assertNotEquals(NpyArray.ofFloats(new float[] {1, 2}, 2), NpyArray.ofFloats(new float[] {1, 2}, 1, 2));
        assertNotEquals(NpyArray.ofInts(new int[] {1, 2}, 2), NpyArray.ofLongs(new long[] {1, 2}, 2));
        assertNotEquals(NpyArray.ofInts(new int[] {1, 2}, 2), NpyArray.ofInts(new int[] {1, 3}, 2));
    }
}
