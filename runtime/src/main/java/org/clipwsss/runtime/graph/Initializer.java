package org.clipwsss.runtime.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A constant tensor of the graph (a weight or a small constant). The data is produced on demand, so a
 * graph over a large checkpoint can be described without holding every weight in memory.
 */
public final class Initializer {
    private final String name;
    private final ElemType type;
    private final long[] shape;
    private final Supplier<Object> data;

    private Initializer(String name, ElemType type, long[] shape, Supplier<Object> data) {
        this.name = name;
        this.type = type;
        this.shape = shape.clone();
        this.data = data;
    }

    public static Initializer floats(String name, float[] values, long... shape) {
        checkCount(name, values.length, shape);
        return new Initializer(name, ElemType.FLOAT, shape, () -> values);
    }

    /** Float data read lazily, e.g. from a safetensors file, each time the graph is written. */
    public static Initializer lazyFloats(String name, Supplier<float[]> values, long... shape) {
        return new Initializer(name, ElemType.FLOAT, shape, values::get);
    }

    public static Initializer longs(String name, long[] values, long... shape) {
        checkCount(name, values.length, shape);
        return new Initializer(name, ElemType.INT64, shape, () -> values);
    }

    /** Half-precision (FLOAT16) data as IEEE fp16 bit patterns, produced each time the graph is written. */
    public static Initializer lazyHalves(String name, Supplier<short[]> values, long... shape) {
        return new Initializer(name, ElemType.FLOAT16, shape, values::get);
    }

    /** 8-bit integer data (INT8 or UINT8; {@code values} as raw bytes, UINT8 read unsigned). */
    public static Initializer bytes(String name, ElemType type, byte[] values, long... shape) {
        checkByteType(name, type);
        checkCount(name, values.length, shape);
        return new Initializer(name, type, shape, () -> values);
    }

    /** 8-bit integer data (INT8 or UINT8) produced each time the graph is written, e.g. weights quantized on the way out. */
    public static Initializer lazyBytes(String name, ElemType type, Supplier<byte[]> values, long... shape) {
        checkByteType(name, type);
        return new Initializer(name, type, shape, values::get);
    }

    public String name() {
        return name;
    }

    public ElemType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return Math.multiplyExact(elementCount(), type.bytes());
    }

    /**
     * The values as float[] (FLOAT), long[] (INT64), byte[] (INT8, UINT8) or short[] (FLOAT16 bit patterns); lazily
     * produced data is read now.
     */
    public Object values() {
        Object v = data.get();
        long n = v instanceof float[] f ? f.length : v instanceof byte[] b ? b.length : v instanceof short[] h ? h.length
                : ((long[]) v).length;
        if (n != elementCount()) {
            throw new IllegalStateException("initializer " + name + " has " + n + " values for shape "
                    + Arrays.toString(shape));
        }
        return v;
    }

    public float[] floatValues() {
        return (float[]) values();
    }

    /** Little-endian bytes as in ONNX raw_data. */
    public ByteBuffer rawData() {
        Object v = values();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        if (v instanceof float[] f) {
            buf.asFloatBuffer().put(f);
        } else if (v instanceof byte[] b) {
            buf.put(b).flip();
        } else if (v instanceof short[] h) {
            buf.asShortBuffer().put(h);
        } else {
            buf.asLongBuffer().put((long[]) v);
        }
        return buf;
    }

    private static void checkByteType(String name, ElemType type) {
        if (type != ElemType.INT8 && type != ElemType.UINT8) {
            throw new IllegalArgumentException("initializer " + name + ": byte data must be INT8 or UINT8, not " + type);
        }
    }

    private static void checkCount(String name, int count, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("initializer " + name + ": " + count + " values for shape "
                    + Arrays.toString(shape));
        }
    }
}
