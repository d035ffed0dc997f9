package org.clipwsss.runtime.graph;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal protocol-buffers message writer (wire format only: varints, fixed32, length-delimited), enough
 * to write ONNX files without generated classes. Sizes are computed before writing, so large payloads
 * (weights) are streamed once and never copied into one big array.
 */
final class ProtoMessage {
    /** Writes a length-delimited payload of a size known in advance. */
    interface Payload {
        long size();

        void writeTo(OutputStream out) throws IOException;
    }

    private record Field(int number, int wireType, long varint, Payload payload) { }

    private final List<Field> fields = new ArrayList<>();
    private long cachedSize = -1;

    ProtoMessage varint(int number, long value) {
        fields.add(new Field(number, 0, value, null));
        cachedSize = -1;
        return this;
    }

    ProtoMessage fixed32(int number, float value) {
        fields.add(new Field(number, 5, Float.floatToRawIntBits(value) & 0xffffffffL, null));
        cachedSize = -1;
        return this;
    }

    ProtoMessage string(int number, String value) {
        return bytes(number, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoMessage bytes(int number, byte[] value) {
        return payload(number, new Payload() {
            @Override
            public long size() {
                return value.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(value);
            }
        });
    }

    ProtoMessage message(int number, ProtoMessage value) {
        return payload(number, new Payload() {
            @Override
            public long size() {
                return value.size();
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                value.writeTo(out);
            }
        });
    }

    ProtoMessage payload(int number, Payload payload) {
        fields.add(new Field(number, 2, 0, payload));
        cachedSize = -1;
        return this;
    }

    long size() {
        if (cachedSize < 0) {
            long s = 0;
            for (Field f : fields) {
                s += varintSize(((long) f.number << 3) | f.wireType);
                switch (f.wireType) {
                    case 0 -> s += varintSize(f.varint);
                    case 5 -> s += 4;
                    default -> {
                        long n = f.payload.size();
                        s += varintSize(n) + n;
                    }
                }
            }
            cachedSize = s;
        }
        return cachedSize;
    }

    void writeTo(OutputStream out) throws IOException {
        for (Field f : fields) {
            writeVarint(out, ((long) f.number << 3) | f.wireType);
            switch (f.wireType) {
                case 0 -> writeVarint(out, f.varint);
                case 5 -> {
                    int v = (int) f.varint;
                    out.write(v);
                    out.write(v >>> 8);
                    out.write(v >>> 16);
                    out.write(v >>> 24);
                }
                default -> {
                    writeVarint(out, f.payload.size());
                    f.payload.writeTo(out);
                }
            }
        }
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static void writeVarint(OutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
