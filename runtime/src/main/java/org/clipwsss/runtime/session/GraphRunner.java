package org.clipwsss.runtime.session;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.HalfFloats;
import org.clipwsss.runtime.io.NpyArray;

/**
 * Runs one ONNX file with {@link NpyArray} inputs and outputs, checking its signature up front. Float
 * inputs are converted to float16 and int64 to int32 when the model asks for those types (fp16 exports,
 * some text exports), and float16 outputs come back as float32.
 */
public final class GraphRunner {
    private final Path file;
    private final SessionFactory factory;
    private final OrtSession session;
    private final Map<String, TensorInfo> inputs = new LinkedHashMap<>();
    private final Map<String, TensorInfo> outputs = new LinkedHashMap<>();

    public GraphRunner(SessionFactory factory, Path file) {
        this.file = file;
        this.factory = factory;
        try {
            this.session = factory.session(file);
        } catch (RuntimeException e) {
            SessionFactory.awaitExitIfShuttingDown(); // not the file's fault: ONNX Runtime is being released
            throw e;
        }
        try {
            collect(session.getInputInfo(), inputs);
            collect(session.getOutputInfo(), outputs);
        } catch (OrtException e) {
            throw ClipWsssException.file(file, "cannot read the model's inputs and outputs (" + SessionFactory.firstLine(e) + ")", e);
        }
    }

    private void collect(Map<String, NodeInfo> infos, Map<String, TensorInfo> into) {
        for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo t)) {
                throw ClipWsssException.file(file, "value '" + e.getKey() + "' is not a tensor");
            }
            into.put(e.getKey(), t);
        }
    }

    public Path file() {
        return file;
    }

    public Set<String> inputNames() {
        return inputs.keySet();
    }

    public Set<String> outputNames() {
        return outputs.keySet();
    }

    public boolean hasInput(String name) {
        return inputs.containsKey(name);
    }

    /** The declared shape of an input (-1 where a dimension is free), or null when there is no such input. */
    public long[] inputShape(String name) {
        TensorInfo t = inputs.get(name);
        return t == null ? null : t.getShape();
    }

    /**
     * Checks that the model has an input or output {@code name} of rank {@code rank} and one of the
     * element types; otherwise a one-line error naming the file, what was expected and what it has.
     */
    public GraphRunner require(boolean input, String name, int rank, OnnxJavaType... types) {
        Map<String, TensorInfo> where = input ? inputs : outputs;
        TensorInfo t = where.get(name);
        String kind = input ? "input" : "output";
        String expected = kind + " '" + name + "' (" + Arrays.toString(types).toLowerCase(java.util.Locale.ROOT)
                + ", rank " + rank + ")";
        if (t == null) {
            throw ClipWsssException.file(file, "expected " + expected + " but the model has " + kind + "s "
                    + describe(where));
        }
        if (t.getShape().length != rank || !Arrays.asList(types).contains(t.type)) {
            throw ClipWsssException.file(file, "expected " + expected + " but '" + name + "' is "
                    + t.type.toString().toLowerCase(java.util.Locale.ROOT) + " " + Arrays.toString(t.getShape()));
        }
        return this;
    }

    private static String describe(Map<String, TensorInfo> infos) {
        List<String> parts = new ArrayList<>();
        infos.forEach((k, t) -> parts.add(k + " " + t.type.toString().toLowerCase(java.util.Locale.ROOT)
                + Arrays.toString(t.getShape())));
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    /**
     * Runs the model; returns the requested outputs as float32/int64 arrays. The factory is {@link
     * SessionFactory#inUse() in use} meanwhile, so closing it waits for the run; during the JVM's shutdown a run
     * that starts or fails waits for the process to end instead of reporting ONNX Runtime's shutdown as its failure.
     */
    public Map<String, NpyArray> run(Map<String, NpyArray> feeds, List<String> wanted) {
        return run(feeds, null, List.of(), wanted);
    }

    /**
     * As {@link #run(Map, List)}, with some inputs taken as they are from another run's {@link Kept kept} outputs
     * (the input of the same name as the output; no copy through Java).
     */
    public Map<String, NpyArray> run(Map<String, NpyArray> feeds, Kept from, List<String> passed, List<String> wanted) {
        try (Kept k = runKept(feeds, from, passed, wanted)) {
            Map<String, NpyArray> out = new LinkedHashMap<>();
            for (String name : wanted) {
                out.put(name, k.get(name));
            }
            return out;
        }
    }

    /**
     * Runs the model and keeps its outputs as ONNX Runtime's tensors until the result is closed: each read as an array
     * when needed, or passed to another run ({@link #run(Map, Kept, List, List)}) without a copy. The factory stays in
     * use until then.
     */
    public Kept runKept(Map<String, NpyArray> feeds, List<String> wanted) {
        return runKept(feeds, null, List.of(), wanted);
    }

    private Kept runKept(Map<String, NpyArray> feeds, Kept from, List<String> passed, List<String> wanted) {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        SessionFactory.Use use = null;
        try {
            use = factory.inUse();
            for (Map.Entry<String, NpyArray> e : feeds.entrySet()) {
                tensors.put(e.getKey(), tensor(e.getValue(), inputInfo(e.getKey()).type));
            }
            Map<String, OnnxTensor> inputs = new LinkedHashMap<>(tensors);
            for (String name : passed) {
                TensorInfo info = inputInfo(name);
                OnnxTensor t = from.tensor(name);
                if (t.getInfo().type != info.type) {
                    throw ClipWsssException.file(file, "input '" + name + "' is " + info.type + " but " + from.file()
                            + " gives " + t.getInfo().type);
                }
                inputs.put(name, t);
            }
            Kept k = new Kept(file, session.run(inputs, Set.copyOf(wanted)), use);
            use = null; // the result holds it now
            return k;
        } catch (OrtException | RuntimeException e) { // after the factory's use is released (below)
            if (use != null) {
                use.close();
                use = null;
            }
            SessionFactory.awaitExitIfShuttingDown();
            if (e instanceof OrtException) {
                throw ClipWsssException.file(file, "ONNX Runtime failed on " + factory.device() + " ("
                        + SessionFactory.firstLine(e) + ")", e);
            }
            throw (RuntimeException) e;
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    private TensorInfo inputInfo(String name) {
        TensorInfo info = inputs.get(name);
        if (info == null) {
            throw ClipWsssException.file(file, "has no input '" + name + "' (inputs: " + describe(inputs) + ")");
        }
        return info;
    }

    /** A run's outputs, kept in ONNX Runtime's memory until closed ({@link #runKept}); the factory stays in use meanwhile. */
    public static final class Kept implements AutoCloseable {
        private final Path file;
        private final OrtSession.Result result;
        private final SessionFactory.Use use;
        private boolean closed;

        private Kept(Path file, OrtSession.Result result, SessionFactory.Use use) {
            this.file = file;
            this.result = result;
            this.use = use;
        }

        Path file() {
            return file;
        }

        OnnxTensor tensor(String name) {
            if (closed) {
                throw new IllegalStateException("the outputs of " + file + " are closed");
            }
            OnnxValue v = result.get(name).orElseThrow(() -> ClipWsssException.file(file, "produced no output '" + name + "'"));
            return (OnnxTensor) v;
        }

        /** The output {@code name} copied into an array (float16 as float32). */
        public NpyArray get(String name) {
            return toArray(file, tensor(name));
        }

        /** The float32 output {@code name} copied into a new array, the caller's own (one copy, not two as {@code get(name).floats()}). */
        public float[] floats(String name) {
            OnnxTensor t = tensor(name);
            if (t.getInfo().type != OnnxJavaType.FLOAT) {
                throw ClipWsssException.file(file, "output '" + name + "' is " + t.getInfo().type + ", not float32");
            }
            return floatArray(t);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    result.close();
                } finally {
                    use.close();
                }
            }
        }
    }

    private OnnxTensor tensor(NpyArray a, OnnxJavaType want) throws OrtException {
        var env = factory.environment();
        long[] shape = a.shape();
        switch (want) {
            case FLOAT:
                return OnnxTensor.createTensor(env, a.floatBuffer(), shape);
            case FLOAT16: {
                float[] f = a.toFloats();
                ByteBuffer b = ByteBuffer.allocateDirect(f.length * 2).order(ByteOrder.nativeOrder());
                ShortBuffer s = b.asShortBuffer();
                for (float v : f) {
                    s.put(HalfFloats.floatToF16(v));
                }
                return OnnxTensor.createTensor(env, b, shape, OnnxJavaType.FLOAT16);
            }
            case INT64:
                return OnnxTensor.createTensor(env, LongBuffer.wrap(a.toLongs()), shape);
            case INT32: {
                long[] l = a.toLongs();
                int[] i = new int[l.length];
                for (int k = 0; k < l.length; k++) {
                    i[k] = Math.toIntExact(l[k]);
                }
                return OnnxTensor.createTensor(env, IntBuffer.wrap(i), shape);
            }
            default:
                throw ClipWsssException.file(file, "input element type " + want + " is not supported");
        }
    }

    /** A float32 tensor's values in a new array (ONNX Runtime's copy taken as it is when it is a whole array). */
    private static float[] floatArray(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        if (fb.hasArray() && fb.arrayOffset() == 0 && fb.position() == 0 && fb.array().length == fb.remaining()) {
            return fb.array();
        }
        float[] f = new float[fb.remaining()];
        fb.get(f);
        return f;
    }

    private static NpyArray toArray(Path file, OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        switch (t.getInfo().type) {
            case FLOAT:
                return NpyArray.wrapFloats(floatArray(t), shape);
            case FLOAT16: {
                ShortBuffer sb = t.getShortBuffer();
                float[] f = new float[sb.remaining()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = HalfFloats.f16ToFloat(sb.get(i));
                }
                return NpyArray.ofFloats(f, shape);
            }
            case INT64: {
                LongBuffer lb = t.getLongBuffer();
                long[] l = new long[lb.remaining()];
                lb.get(l);
                return NpyArray.ofLongs(l, shape);
            }
            default:
                throw ClipWsssException.file(file, "output element type " + t.getInfo().type + " is not supported");
        }
    }
}
