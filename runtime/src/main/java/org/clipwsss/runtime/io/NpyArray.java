package org.clipwsss.runtime.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

import org.clipwsss.runtime.ClipWsssException;

/**
 * An immutable n-d array in C (row-major) order holding float32, float16, int64, int32 or uint8 values, as read from or written
 * to {@code .npy} and {@code .safetensors} files. Accessors return copies; {@link #reshape} shares the data.
 */
public final class NpyArray {

    /** The element types this project reads and writes. */
    public enum DType {
        FLOAT32("float32", 4), INT64("int64", 8), INT32("int32", 4),
        /** Unsigned bytes (e.g. label masks), held in a {@code byte[]}: read them with {@code & 0xff}. */
        UINT8("uint8", 1),
        /** Half precision (storage of large float maps), held as its 16-bit patterns in a {@code short[]}. */
        FLOAT16("float16", 2);

        private final String label;
        private final int itemSize;

        DType(String label, int itemSize) {
            this.label = label;
            this.itemSize = itemSize;
        }

        /** Bytes per element. */
        public int itemSize() {
            return itemSize;
        }

        /** The NumPy name, e.g. "float32". */
        @Override
        public String toString() {
            return label;
        }
    }

    private final DType dtype;
    private final Object data; // float[], long[], int[] or byte[] (uint8), never modified
    private final long[] shape;

    private NpyArray(DType dtype, Object data, int length, long[] shape) {
        long size = Shapes.size(shape);
        if (size != length) {
            throw new IllegalArgumentException(
                    "shape " + Shapes.format(shape) + " needs " + size + " elements but the data has " + length);
        }
        this.dtype = dtype;
        this.data = data;
        this.shape = shape.clone();
    }

    /** A float32 array (the data is copied). */
    public static NpyArray ofFloats(float[] data, long... shape) {
        return new NpyArray(DType.FLOAT32, data.clone(), data.length, shape);
    }

    /**
     * A float32 array of {@code data} itself, not copied: for a caller that made the array and lets it go (changing it
     * afterwards would change this array).
     */
    public static NpyArray wrapFloats(float[] data, long... shape) {
        return new NpyArray(DType.FLOAT32, data, data.length, shape);
    }

    /** An int64 array (the data is copied). */
    public static NpyArray ofLongs(long[] data, long... shape) {
        return new NpyArray(DType.INT64, data.clone(), data.length, shape);
    }

    /** An int32 array (the data is copied). */
    public static NpyArray ofInts(int[] data, long... shape) {
        return new NpyArray(DType.INT32, data.clone(), data.length, shape);
    }

    /** A uint8 array of unsigned bytes, e.g. {@code (byte) 255} for 255 (the data is copied). */
    public static NpyArray ofBytes(byte[] data, long... shape) {
        return new NpyArray(DType.UINT8, data.clone(), data.length, shape);
    }

    /** A float16 array of the floats rounded to half precision (ties to even), for compact storage. */
    public static NpyArray ofHalves(float[] data, long... shape) {
        short[] h = new short[data.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = Half.fromFloat(data[i]);
        }
        return new NpyArray(DType.FLOAT16, h, h.length, shape);
    }

    /** Wraps a freshly filled float[], long[], int[], byte[] (uint8) or short[] (float16) without copying; for readers here. */
    static NpyArray wrap(Object data, long... shape) {
        if (data instanceof short[] h) {
            return new NpyArray(DType.FLOAT16, h, h.length, shape);
        }
        if (data instanceof float[] f) {
            return new NpyArray(DType.FLOAT32, f, f.length, shape);
        } else if (data instanceof long[] l) {
            return new NpyArray(DType.INT64, l, l.length, shape);
        } else if (data instanceof int[] i) {
            return new NpyArray(DType.INT32, i, i.length, shape);
        } else if (data instanceof byte[] b) {
            return new NpyArray(DType.UINT8, b, b.length, shape);
        }
        throw new IllegalArgumentException("not a float[], long[], int[] or byte[]: " + data);
    }

    /** The backing float[], long[], int[] or byte[] (do not modify); for writers in this package. */
    Object data() {
        return data;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape; empty for a 0-d (scalar) array. */
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /** The number of elements. */
    public long size() {
        return Shapes.size(shape);
    }

    /** A copy of the values of a float32 array. */
    public float[] floats() {
        return ((float[]) require(DType.FLOAT32)).clone();
    }

    /** A copy of the values of an int64 array. */
    public long[] longs() {
        return ((long[]) require(DType.INT64)).clone();
    }

    /** A copy of the values of an int32 array. */
    public int[] ints() {
        return ((int[]) require(DType.INT32)).clone();
    }

    /** A copy of the values of a uint8 array, as unsigned bytes (read each with {@code & 0xff}). */
    public byte[] bytes() {
        return ((byte[]) require(DType.UINT8)).clone();
    }

    /** The values as floats ({@link #toFloats}) in a read-only buffer: float32 data is not copied. */
    public java.nio.FloatBuffer floatBuffer() {
        if (data instanceof float[] f) {
            return java.nio.FloatBuffer.wrap(f).asReadOnlyBuffer();
        }
        return java.nio.FloatBuffer.wrap(toFloats());
    }

    /** The values as floats, converting integers (int64 values beyond 2^24 are rounded; uint8 as 0..255) and halves. */
    public float[] toFloats() {
        if (data instanceof short[] h) {
            float[] out = new float[h.length];
            for (int i = 0; i < h.length; i++) {
                out[i] = Half.toFloat(h[i]);
            }
            return out;
        }
        if (data instanceof long[] l) {
            float[] out = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                out[i] = l[i];
            }
            return out;
        } else if (data instanceof int[] a) {
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        } else if (data instanceof byte[] b) {
            float[] out = new float[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = b[i] & 0xff;
            }
            return out;
        }
        return floats();
    }

    /** The values of an int64, int32 or uint8 (0..255) array as longs. */
    public long[] toLongs() {
        if (data instanceof int[] a) {
            return Arrays.stream(a).asLongStream().toArray();
        } else if (data instanceof byte[] b) {
            long[] out = new long[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = b[i] & 0xff;
            }
            return out;
        }
        return longs();
    }

    /**
     * The same data with another shape of the same size; one dimension may be -1 to infer it.
     *
     * @throws IllegalArgumentException if the sizes differ
     */
    public NpyArray reshape(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw cannotReshape(newShape);
                }
                infer = i;
                s[i] = 1;
            }
        }
        long known;
        try {
            known = Shapes.size(s);
        } catch (IllegalArgumentException e) {
            throw cannotReshape(newShape);
        }
        if (infer >= 0) {
            if (known == 0) {
                throw cannotReshape(newShape);
            }
            s[infer] = size() / known;
        }
        if (Shapes.size(s) != size()) {
            throw cannotReshape(newShape);
        }
        return new NpyArray(dtype, data, (int) size(), s);
    }

    private IllegalArgumentException cannotReshape(long[] newShape) {
        return new IllegalArgumentException("cannot reshape " + this + " to " + Shapes.format(newShape));
    }

    /**
     * Checks the shape (-1 matches any size) and returns this array.
     *
     * @param source the file the array came from, named in the error
     * @param what   what the array is, e.g. "input_ids"
     * @throws ClipWsssException "SOURCE: WHAT has shape [2, 3] but [*, 77] was expected"
     */
    public NpyArray requireShape(Path source, String what, long... expected) {
        Shapes.require(source, what, shape, expected);
        return this;
    }

    private Object require(DType wanted) {
        if (dtype != wanted) {
            throw new ClipWsssException("expected a " + wanted + " array but got " + this);
        }
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && dtype == a.dtype && Arrays.equals(shape, a.shape)
                && Objects.deepEquals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + dtype.hashCode();
    }

    /** "float32 [2, 3]" */
    @Override
    public String toString() {
        return dtype + " " + Shapes.format(shape);
    }
}
