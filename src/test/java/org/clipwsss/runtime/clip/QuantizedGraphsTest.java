package org.clipwsss.runtime.clip;

import static org.clipwsss.Fixtures.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.Node;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --variant quantized} with graphs built from the safetensors: the dynamically int8-quantized graphs (integer
 * products, int8 weights, smaller files) give embeddings close to the float graphs' on clip-tiny and clip-odd (random
 * weights: a harder case than trained ones, whose activations are better behaved).
 */
class QuantizedGraphsTest {
    /** Per-row cosine between float and int8 embeddings must reach this. */
    static final double MIN_COSINE = 0.99;

    @TempDir
    static Path cache;
    static SessionFactory sessions;

    @BeforeAll
    static void start() {
        sessions = new SessionFactory(Device.CPU, 2);
    }

    @AfterAll
    static void stop() {
        sessions.close();
    }

    private static ClipModel open(String name, String variant) {
        return ClipModel.open(Fixtures.model(name), ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                .withVariant(variant).withSessions(sessions).withCacheRoot(cache));
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"clip-tiny,quantized", "clip-odd,quantized", "clip-tiny,fp16", "clip-odd,fp16"})
    void embeddingsStayCloseToFloat(String name, String variant) {
        List<java.util.logging.LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(ClipModel.class.getName());
        log.addHandler(capture);
        try (ClipModel f = open(name, "fp32"); ClipModel q = open(name, variant)) {
            // fp16 on the CPU is slow (casts around most nodes): said once, at open, and only for fp16
            assertEquals(variant.equals("fp16") ? 1 : 0, logged.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING
                    && r.getMessage().contains("fp16 graphs on the CPU (--variant fp16)")).count(), logged.toString());
            assertFalse(f.quantizedGraphs());
            assertEquals(BuiltVariant.of(variant), q.builtVariant());
            assertTrue(q.graphFile(ClipGraphs.Kind.VISION).getFileName().toString().endsWith(q.builtVariant().suffix() + ".onnx"));
            NpyArray pixels = reference(name, "pixel_values");
            NpyArray ids = reference(name, "input_ids");
            NpyArray mask = reference(name, "attention_mask");
            List<String> report = new ArrayList<>();
            name = name + " " + variant;
            check(name + " image_embeds", f.imageEmbeds(pixels), q.imageEmbeds(pixels), report);
            check(name + " text_embeds", f.textEmbeds(ids, mask), q.textEmbeds(ids, mask), report);
            check(name + " dense clearclip", f.denseEmbeds(pixels, ClipModel.Dense.CLEARCLIP),
                    q.denseEmbeds(pixels, ClipModel.Dense.CLEARCLIP), report);
            check(name + " dense maskclip", f.denseEmbeds(pixels, ClipModel.Dense.MASKCLIP),
                    q.denseEmbeds(pixels, ClipModel.Dense.MASKCLIP), report);
            // the whole-image grid graph the pipeline runs (position embeddings an input), at a non-square grid
            int p = f.config().vision().patchSize();
            NpyArray wide = crop(pixels, 3 * p, 5 * p);
            check(name + " dense clearclip grid 3x5", f.denseEmbedsGrid(wide, ClipModel.Dense.CLEARCLIP),
                    q.denseEmbedsGrid(wide, ClipModel.Dense.CLEARCLIP), report);
            report.forEach(System.out::println);
        } finally {
            log.removeHandler(capture);
        }
    }

    /** Per-row cosines (rows = the last axis' vectors); fails below {@link #MIN_COSINE}, records min and mean. */
    private static void check(String what, NpyArray expected, NpyArray actual, List<String> report) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        long[] s = expected.shape();
        int d = (int) s[s.length - 1];
        float[] a = expected.toFloats();
        float[] b = actual.toFloats();
        int rows = a.length / d;
        double min = 1;
        double sum = 0;
        StringBuilder each = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            double c = cosine(a, b, r * d, d);
            min = Math.min(min, c);
            sum += c;
            if (rows <= 4) {
                each.append(String.format(" %.5f", c));
            }
        }
        report.add(String.format("vs fp32, %s: %d rows, cosine min %.5f mean %.5f%s", what, rows, min, sum / rows,
                rows <= 4 ? " (rows" + each + ")" : ""));
        assertTrue(min >= MIN_COSINE, what + ": a row's cosine with the float result is " + min);
    }

    private static double cosine(float[] a, float[] b, int off, int d) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = off; i < off + d; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    private static NpyArray crop(NpyArray pixels, int h, int w) {
        long[] s = pixels.shape();
        float[] src = pixels.toFloats();
        int n = (int) s[0];
        int side = (int) s[2];
        float[] out = new float[n * 3 * h * w];
        for (int i = 0; i < n * 3; i++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (i * side + y) * side, out, (i * h + y) * w, w);
            }
        }
        return NpyArray.ofFloats(out, n, 3, h, w);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"clip-tiny", "clip-odd"})
    void filesHoldIntegerProductsAndInt8Weights(String name) throws IOException {
        try (ClipModel f = open(name, "fp32"); ClipModel q = open(name, "quantized")) {
            for (ClipGraphs.Kind kind : List.of(ClipGraphs.Kind.VISION, ClipGraphs.Kind.TEXT, ClipGraphs.Kind.DENSE_CLEARCLIP)) {
                Path ff = f.graphFile(kind);
                Path qf = q.graphFile(kind);
                assertEquals(kind.fileName().replace(".onnx", "_quantized.onnx"), qf.getFileName().toString());
                assertEquals(ff.getParent(), qf.getParent(), "cached beside the float graphs");
                OnnxSummary fs = OnnxSummary.read(ff);
                OnnxSummary qs = OnnxSummary.read(qf);
                assertEquals(0, fs.count("MatMulInteger"));
                assertTrue(qs.count("MatMulInteger") > 0 && qs.count("DynamicQuantizeLinear") > 0, kind + ": " + qs.ops);
                assertEquals(qs.count("MatMulInteger"), qs.int8Matrices(), kind + ": one int8 weight per integer product");
                long fb = Files.size(ff);
                long qb = Files.size(qf);
                assertTrue(qb < fb, kind + ": " + qb + " bytes, float " + fb);
                System.out.printf("%s %s: %d MatMulInteger, %d DynamicQuantizeLinear, %d float MatMul left; %d -> %d bytes (%.0f%%)%n",
                        name, kind.fileName(), qs.count("MatMulInteger"), qs.count("DynamicQuantizeLinear"), qs.count("MatMul"), fb, qb,
                        100.0 * qb / fb);
            }
        }
    }

    /** Every weight product of the vision tower is quantized but the patch embedding, which stays float. */
    @Test
    void onlyThePatchEmbeddingStaysFloat() {
        ModelFolder folder = ModelFolder.open(Fixtures.CLIP_TINY, "auto");
        int layers = folder.config().vision().layers();
        try (SafetensorsFile st = SafetensorsFile.open(folder.safetensors())) {
            Graph g = BuiltVariant.INT8.apply(ClipGraphs.build(ClipGraphs.Kind.VISION, folder.config(), new SafetensorsWeights(st)));
            long integer = g.nodes().stream().filter(n -> n.op().equals("MatMulInteger")).count();
            // q, k, v, out, fc1, fc2 per layer, and the projection
            assertEquals(6L * layers + 1, integer);
            // the patch embedding (reshaped, transposed), and per layer q k^T and the attention times values
            List<Node> floats = g.nodes().stream().filter(n -> n.op().equals("MatMul")).toList();
            assertEquals(1 + 2 * layers, floats.size());
            assertTrue(g.initializers().containsKey("vision_model.embeddings.patch_embedding.weight"));
            assertEquals(ElemType.FLOAT, g.initializers().get("vision_model.embeddings.patch_embedding.weight").type());
            assertFalse(g.initializers().containsKey("vision_model.encoder.layers.0.mlp.fc1.weight"), "replaced by its int8 copy");
            assertTrue(g.nodes().stream().filter(n -> n.op().equals("Transpose")).noneMatch(n -> g.initializers().containsKey(
                    n.inputs().get(0))), "the weights' Transposes are folded into the int8 copies");
            assertTrue(g.initializers().values().stream().filter(i -> i.type() == ElemType.FLOAT && i.shape().length == 2)
                    .allMatch(i -> i.name().startsWith("vision_model.embeddings.")), "no float weight matrix left but embeddings");
            assertEquals(ElemType.INT8, g.initializers().get("vision_model.encoder.layers.0.mlp.fc1.weight_transposed_quantized").type());
        }
    }

    @Test
    void autoAndOtherVariantsKeepTheFloatGraphs() {
        try (ClipModel auto = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache));
                ClipModel onnxQuantized = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withSource(GraphSource.AUTO)
                        .withVariant("quantized").withSessions(sessions).withCacheRoot(cache))) {
            assertEquals(GraphSource.ONNX, auto.source());
            assertFalse(auto.quantizedGraphs());
            assertEquals("dense_clearclip.onnx", auto.graphFile(ClipGraphs.Kind.DENSE_CLEARCLIP).getFileName().toString());
            // clip-tiny has no *_quantized.onnx export: variant quantized builds (quantized) graphs from the safetensors
            assertEquals(GraphSource.SAFETENSORS, onnxQuantized.source());
            assertTrue(onnxQuantized.quantizedGraphs());
        }
    }

    /** Node operators and initializer types read back from a written .onnx file (a minimal protobuf reader). */
    record OnnxSummary(List<String> ops, Map<String, Integer> initializerTypes, Map<String, Integer> initializerRanks) {
        long count(String op) {
            return ops.stream().filter(op::equals).count();
        }

        long int8Matrices() {
            return initializerTypes.entrySet().stream().filter(e -> e.getValue() == ElemType.INT8.onnxCode()
                    && initializerRanks.get(e.getKey()) == 2).count();
        }

        static OnnxSummary read(Path file) throws IOException {
            ByteBuffer model = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            List<String> ops = new ArrayList<>();
            Map<String, Integer> types = new LinkedHashMap<>();
            Map<String, Integer> ranks = new LinkedHashMap<>();
            ByteBuffer graph = field(model, 7).get(0);
            for (ByteBuffer node : field(graph, 1)) {
                ops.add(string(field(node, 4).get(0)));
            }
            for (ByteBuffer tensor : field(graph, 5)) {
                String n = string(field(tensor, 8).get(0));
                types.put(n, (int) varints(tensor, 2).get(0).longValue());
                ranks.put(n, varints(tensor, 1).size());
            }
            return new OnnxSummary(ops, types, ranks);
        }

        /** The length-delimited fields {@code number} of a message. */
        private static List<ByteBuffer> field(ByteBuffer msg, int number) {
            List<ByteBuffer> out = new ArrayList<>();
            scan(msg, (f, wire, value, bytes) -> {
                if (f == number && wire == 2) {
                    out.add(bytes);
                }
            });
            return out;
        }

        private static List<Long> varints(ByteBuffer msg, int number) {
            List<Long> out = new ArrayList<>();
            scan(msg, (f, wire, value, bytes) -> {
                if (f == number && wire == 0) {
                    out.add(value);
                }
            });
            return out;
        }

        interface Visitor {
            void field(int number, int wire, long value, ByteBuffer bytes);
        }

        private static void scan(ByteBuffer msg, Visitor v) {
            ByteBuffer b = msg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                long key = varint(b);
                int number = (int) (key >>> 3);
                int wire = (int) (key & 7);
                switch (wire) {
                    case 0 -> v.field(number, wire, varint(b), null);
                    case 1 -> b.position(b.position() + 8);
                    case 5 -> b.position(b.position() + 4);
                    case 2 -> {
                        int len = (int) varint(b);
                        ByteBuffer slice = b.slice(b.position(), len);
                        b.position(b.position() + len);
                        v.field(number, wire, 0, slice);
                    }
                    default -> throw new IllegalStateException("wire type " + wire);
                }
            }
        }

        private static long varint(ByteBuffer b) {
            long r = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b.get() & 0xff;
                r |= (long) (x & 0x7f) << shift;
                if (x < 0x80) {
                    return r;
                }
            }
        }

        private static String string(ByteBuffer b) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            return new String(a, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
