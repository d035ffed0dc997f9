package org.clipwsss.runtime.graph;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** Serialises a {@link Graph} as an ONNX {@code ModelProto} (IR version 8, default-domain opset 17). */
public final class OnnxWriter {
    public static final int IR_VERSION = 8;
    public static final int OPSET = 17;
    /** Protobuf messages cannot exceed 2 GiB. */
    private static final long MAX_MODEL_BYTES = (1L << 31) - 1;

    private OnnxWriter() {
    }

    /** Writes the model to {@code file} atomically (temporary file in the same folder, then rename). */
    public static void write(Graph graph, Path file, Map<String, String> metadata) throws IOException {
        ProtoMessage model = model(graph, metadata);
        if (model.size() > MAX_MODEL_BYTES) {
            throw new IOException(file + ": graph '" + graph.name() + "' needs " + model.size()
                    + " bytes, more than the 2 GiB an ONNX file can hold");
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                model.writeTo(out);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The serialised model in memory (for small graphs and tests). */
    public static byte[] toBytes(Graph graph, Map<String, String> metadata) {
        ProtoMessage model = model(graph, metadata);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.toIntExact(model.size()));
        try {
            model.writeTo(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static ProtoMessage model(Graph graph, Map<String, String> metadata) {
        ProtoMessage m = new ProtoMessage()
                .varint(1, IR_VERSION)
                .string(2, "clip-wsss")
                .string(3, "1")
                .message(8, new ProtoMessage().string(1, "").varint(2, OPSET))
                .message(7, graph(graph));
        metadata.forEach((k, v) -> m.message(14, new ProtoMessage().string(1, k).string(2, v)));
        return m;
    }

    private static ProtoMessage graph(Graph g) {
        ProtoMessage gp = new ProtoMessage();
        for (Node n : g.nodes()) {
            gp.message(1, node(n));
        }
        gp.string(2, g.name());
        for (Initializer init : g.initializers().values()) {
            gp.message(5, tensor(init));
        }
        for (ValueInfo v : g.inputs()) {
            gp.message(11, valueInfo(v));
        }
        for (ValueInfo v : g.outputs()) {
            gp.message(12, valueInfo(v));
        }
        return gp;
    }

    private static ProtoMessage node(Node n) {
        ProtoMessage np = new ProtoMessage();
        n.inputs().forEach(i -> np.string(1, i));
        n.outputs().forEach(o -> np.string(2, o));
        np.string(3, n.name());
        np.string(4, n.op());
        n.attributes().forEach((k, a) -> np.message(5, attribute(k, a)));
        return np;
    }

    private static ProtoMessage attribute(String name, Attribute a) {
        ProtoMessage ap = new ProtoMessage().string(1, name);
        if (a instanceof Attribute.Float f) {
            ap.fixed32(2, f.value()).varint(20, 1);
        } else if (a instanceof Attribute.Int i) {
            ap.varint(3, i.value()).varint(20, 2);
        } else if (a instanceof Attribute.Str s) {
            ap.string(4, s.value()).varint(20, 3);
        } else if (a instanceof Attribute.TensorValue t) {
            ap.message(5, tensor(t.tensor())).varint(20, 4);
        } else if (a instanceof Attribute.Floats fs) {
            for (float f : fs.values()) {
                ap.fixed32(7, f);
            }
            ap.varint(20, 6);
        } else if (a instanceof Attribute.Ints is) {
            for (long i : is.values()) {
                ap.varint(8, i);
            }
            ap.varint(20, 7);
        }
        return ap;
    }

    private static ProtoMessage tensor(Initializer init) {
        ProtoMessage tp = new ProtoMessage();
        for (long d : init.shape()) {
            tp.varint(1, d);
        }
        tp.varint(2, init.type().onnxCode());
        tp.string(8, init.name());
        long size = init.byteSize();
        tp.payload(9, new ProtoMessage.Payload() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                ByteBuffer data = init.rawData();
                if (data.remaining() != size) {
                    throw new IOException("initializer " + init.name() + " produced " + data.remaining()
                            + " bytes, expected " + size);
                }
                if (data.hasArray()) {
                    out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
                } else {
                    WritableByteChannel ch = Channels.newChannel(out);
                    while (data.hasRemaining()) {
                        ch.write(data);
                    }
                }
            }
        });
        return tp;
    }

    private static ProtoMessage valueInfo(ValueInfo v) {
        ProtoMessage tensorType = new ProtoMessage().varint(1, v.type().onnxCode());
        if (v.dims() != null) {
            ProtoMessage shape = new ProtoMessage();
            for (String d : v.dims()) {
                ProtoMessage dim = new ProtoMessage();
                if (d.matches("\\d+")) {
                    dim.varint(1, Long.parseLong(d));
                } else {
                    dim.string(2, d);
                }
                shape.message(1, dim);
            }
            tensorType.message(2, shape);
        }
        return new ProtoMessage().string(1, v.name()).message(2, new ProtoMessage().message(1, tensorType));
    }
}
