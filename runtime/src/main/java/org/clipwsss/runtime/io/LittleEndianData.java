package org.clipwsss.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Moves little-endian element data between byte streams and Java arrays in bounded chunks. */
final class LittleEndianData {
    private static final int CHUNK_BYTES = 1 << 16; // a multiple of every element size

    private LittleEndianData() {
    }

    /** Fills {@code buffer} (from its position to its limit) completely, or throws. */
    @FunctionalInterface
    interface ByteSource {
        void readFully(ByteBuffer buffer) throws IOException;
    }

    /** Receives {@code count} elements starting at element {@code offset}, little-endian in {@code chunk}. */
    @FunctionalInterface
    interface ChunkSink {
        void accept(ByteBuffer chunk, int offset, int count);
    }

    /** Reads {@code count} elements of {@code itemSize} bytes each from {@code source}, chunk by chunk. */
    static void read(ByteSource source, int count, int itemSize, ChunkSink sink) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min((long) count * itemSize, CHUNK_BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK_BYTES / itemSize;
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, perChunk);
            buffer.clear().limit(n * itemSize);
            source.readFully(buffer);
            buffer.flip();
            sink.accept(buffer, done, n);
            done += n;
        }
    }

    /** Reads {@code count} elements of {@code dtype} into a new float[], long[], int[] or byte[] (uint8). */
    static Object read(ByteSource source, NpyArray.DType dtype, int count) throws IOException {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] out = new float[count];
                read(source, count, 4, (b, off, n) -> b.asFloatBuffer().get(out, off, n));
                yield out;
            }
            case INT64 -> {
                long[] out = new long[count];
                read(source, count, 8, (b, off, n) -> b.asLongBuffer().get(out, off, n));
                yield out;
            }
            case INT32 -> {
                int[] out = new int[count];
                read(source, count, 4, (b, off, n) -> b.asIntBuffer().get(out, off, n));
                yield out;
            }
            case UINT8 -> {
                byte[] out = new byte[count];
                read(source, count, 1, (b, off, n) -> b.get(out, off, n));
                yield out;
            }
            case FLOAT16 -> {
                short[] out = new short[count];
                read(source, count, 2, (b, off, n) -> b.asShortBuffer().get(out, off, n));
                yield out;
            }
        };
    }

    /** Writes the elements of {@code array} little-endian. */
    static void write(OutputStream out, NpyArray array) throws IOException {
        Object data = array.data();
        int count = (int) array.size();
        int itemSize = array.dtype().itemSize();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, CHUNK_BYTES / itemSize);
            buffer.clear();
            if (data instanceof float[] f) {
                buffer.asFloatBuffer().put(f, done, n);
            } else if (data instanceof long[] l) {
                buffer.asLongBuffer().put(l, done, n);
            } else if (data instanceof byte[] b) {
                buffer.put(b, done, n);
            } else if (data instanceof short[] h) {
                buffer.asShortBuffer().put(h, done, n);
            } else {
                buffer.asIntBuffer().put((int[]) data, done, n);
            }
            out.write(buffer.array(), 0, n * itemSize);
            done += n;
        }
    }
}
