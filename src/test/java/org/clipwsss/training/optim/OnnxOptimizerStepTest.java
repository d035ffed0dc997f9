package org.clipwsss.training.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizers' step graphs (optimizer_model.onnx) run in ONNX Runtime agree with the Java loops step by step,
 * parameters and state, and checkpoints resume across the two engines.
 */
class OnnxOptimizerStepTest {
    private static final int SIZE = 300;
    private static final int STEPS = 5;
    private static final Schedule COSINE = Schedule.parse("cosine", 0.05f, STEPS);
    private static SessionFactory sessions;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        sessions = new SessionFactory(Device.CPU, 1);
    }

    @AfterAll
    static void close() {
        sessions.close();
    }

    @Test
    void plainSgdMatchesJavaLoopExactly() {
        double d = compareEngines(() -> Optimizer.sgd(0, 0), "sgd_plain", 0);
        System.out.println("plain sgd: max relative difference " + d);
        double wd = compareEngines(() -> Optimizer.sgd(0, 0.01f), "sgd_decay", 0);
        System.out.println("sgd, weight decay only: max relative difference " + wd);
    }

    @Test
    void sgdWithMomentumAndDecayMatchesJavaLoopExactly() {
        double d = compareEngines(() -> Optimizer.sgd(0.9f, 0.01f), "sgd_momentum", 0);
        System.out.println("sgd momentum 0.9, weight decay 0.01: max relative difference " + d);
    }

    @Test
    void adamWWithDecayMatchesJavaLoop() {
        double d = compareEngines(() -> Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.05f), "adamw", 1e-6);
        System.out.println("adamw weight decay 0.05: max relative difference " + d);
    }

    @Test
    void checkpointAfterOnnxStepsResumesInJavaAndBack() throws Exception {
        for (Supplier<Optimizer> make : java.util.List.<Supplier<Optimizer>>of(() -> Optimizer.sgd(0.9f, 0.01f),
                () -> Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.05f))) {
            boolean adam = make.get().describe().startsWith("adamw");
            double tol = adam ? 1e-6 : 0;
            Random r = new Random(7);
            float[] start = random(r, 1);
            float[][] grads = new float[STEPS][];
            for (int s = 0; s < STEPS; s++) {
                grads[s] = random(r, 0.5f);
            }
            // reference: five Java steps
            Optimizer java = make.get();
            float[] ref = start.clone();
            for (int s = 0; s < STEPS; s++) {
                java.step(ref, grads[s], COSINE.at(s));
            }
            // two ONNX steps, a checkpoint on disk, three Java steps from it
            float[] p = start.clone();
            Optimizer first = make.get();
            OnnxOptimizerStep onnx = new OnnxOptimizerStep(first, SIZE, tmp.resolve((adam ? "a" : "s") + "/"
                    + OnnxOptimizerStep.FILE_NAME), sessions);
            for (int s = 0; s < 2; s++) {
                onnx.step(p, grads[s], COSINE.at(s));
            }
            Checkpoint saved = reload(p, first, 2, tmp.resolve((adam ? "a" : "s") + "/ckpt"));
            Optimizer second = make.get();
            second.load(saved.optimizerState());
            p = saved.parameters().get("p").floats();
            for (int s = 2; s < STEPS; s++) {
                second.step(p, grads[s], COSINE.at(s));
            }
            double d = maxRelative(ref, p, tol, "onnx 2 + java 3 steps vs java 5");
            compareStates(java.state(), second.state(), tol);
            // and the other way: two Java steps, a checkpoint, three ONNX steps
            float[] q = start.clone();
            Optimizer third = make.get();
            for (int s = 0; s < 2; s++) {
                third.step(q, grads[s], COSINE.at(s));
            }
            Checkpoint saved2 = reload(q, third, 2, tmp.resolve((adam ? "a" : "s") + "/ckpt2"));
            Optimizer fourth = make.get();
            fourth.load(saved2.optimizerState());
            q = saved2.parameters().get("p").floats();
            OnnxOptimizerStep onnx2 = new OnnxOptimizerStep(fourth, SIZE, tmp.resolve((adam ? "a" : "s") + "/2/"
                    + OnnxOptimizerStep.FILE_NAME), sessions);
            for (int s = 2; s < STEPS; s++) {
                onnx2.step(q, grads[s], COSINE.at(s));
            }
            double d2 = maxRelative(ref, q, tol, "java 2 + onnx 3 steps vs java 5");
            compareStates(java.state(), fourth.state(), tol);
            System.out.println(make.get().describe() + " resume: onnx->java " + d + ", java->onnx " + d2);
            assertTrue(maxRelative(start, ref, Double.MAX_VALUE, "") > 1e-3, "the steps move the parameters");
        }
    }

    @Test
    void writtenFileRunsInPlainOrtSession() throws Exception {
        Path file = tmp.resolve(OnnxOptimizerStep.FILE_NAME);
        Optimizer onnxSide = Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.05f);
        new OnnxOptimizerStep(onnxSide, SIZE, file, sessions);
        Random r = new Random(3);
        float[] p = random(r, 1);
        float[] g = random(r, 0.5f);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(file.toString(), o)) {
            assertEquals(Set.of("params", "grads", "lr", "exp_avg", "exp_avg_sq", "step"), s.getInputNames());
            assertEquals(Set.of("params_out", "exp_avg_out", "exp_avg_sq_out", "step_out"), s.getOutputNames());
            assertEquals(0, ((TensorInfo) s.getInputInfo().get("lr").getInfo()).getShape().length);
            assertEquals(SIZE, ((TensorInfo) s.getOutputInfo().get("params_out").getInfo()).getShape()[0]);
            Map<String, OnnxTensor> feeds = new HashMap<>();
            try {
                feeds.put("params", OnnxTensor.createTensor(env, FloatBuffer.wrap(p), new long[] {SIZE}));
                feeds.put("grads", OnnxTensor.createTensor(env, FloatBuffer.wrap(g), new long[] {SIZE}));
                feeds.put("lr", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {0.01f}), new long[0]));
                feeds.put("exp_avg", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[SIZE]), new long[] {SIZE}));
                feeds.put("exp_avg_sq", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[SIZE]), new long[] {SIZE}));
                feeds.put("step", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {0}), new long[0]));
                try (OrtSession.Result out = s.run(feeds)) {
                    float[] got = new float[SIZE];
                    ((OnnxTensor) out.get("params_out").get()).getFloatBuffer().get(got);
                    float[] want = p.clone();
                    Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.05f).step(want, g, 0.01f);
                    maxRelative(want, got, 1e-6, "plain ORT session, first AdamW step");
                    assertEquals(1f, ((OnnxTensor) out.get("step_out").get()).getFloatBuffer().get(0));
                }
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }

    @Test
    void cachedSessionOfAnotherStepGraphIsRefused() {
        Path file = tmp.resolve(OnnxOptimizerStep.FILE_NAME);
        new OnnxOptimizerStep(Optimizer.sgd(0.9f, 0), SIZE, file, sessions);
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> new OnnxOptimizerStep(Optimizer.sgd(0.9f, 0), SIZE + 1, file, sessions));
        assertTrue(e.getMessage().contains("another optimizer step"), e.getMessage());
        OnnxOptimizerStep ok = new OnnxOptimizerStep(Optimizer.sgd(0.9f, 0), SIZE, file, sessions);
        assertThrows(ClipWsssException.class, () -> ok.step(new float[SIZE - 1], new float[SIZE - 1], 0.1f));
    }

    /**
     * Runs {@link #STEPS} steps of a cosine schedule on random buffers through the Java loop and the ONNX step (fresh
     * optimizers from {@code make}); asserts parameters after every step and the final state agree within {@code tol}
     * (relative) and returns the largest relative difference of the parameters.
     */
    private double compareEngines(Supplier<Optimizer> make, String dir, double tol) {
        Random r = new Random(dir.hashCode());
        float[] start = random(r, 1);
        Optimizer java = make.get();
        Optimizer viaOnnx = make.get();
        OnnxOptimizerStep onnx = new OnnxOptimizerStep(viaOnnx, SIZE, tmp.resolve(dir).resolve(OnnxOptimizerStep.FILE_NAME),
                sessions);
        float[] a = start.clone();
        float[] b = start.clone();
        double worst = 0;
        for (int s = 0; s < STEPS; s++) {
            float[] g = random(r, 0.5f);
            float lr = COSINE.at(s);
            java.step(a, g, lr);
            onnx.step(b, g, lr);
            worst = Math.max(worst, maxRelative(a, b, tol, "params after step " + (s + 1)));
        }
        compareStates(java.state(), viaOnnx.state(), tol);
        assertTrue(maxRelative(start, a, Double.MAX_VALUE, "") > 1e-3, "the steps move the parameters");
        return worst;
    }

    private static void compareStates(Map<String, float[]> want, Map<String, float[]> got, double tol) {
        assertEquals(new TreeSet<>(want.keySet()), new TreeSet<>(got.keySet()), "state buffers");
        want.forEach((k, v) -> {
            double d = maxRelative(v, got.get(k), tol, "state " + k);
            System.out.println("  state " + k + ": max relative difference " + d);
        });
    }

    private Checkpoint reload(float[] params, Optimizer o, int step, Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        Map<String, NpyArray> p = new LinkedHashMap<>();
        p.put("p", NpyArray.ofFloats(params, params.length));
        new Checkpoint(step, p, o.state(), new double[step], new ObjectMapper().createObjectNode()).save(dir);
        return Checkpoint.load(dir);
    }

    private static float[] random(Random r, float scale) {
        float[] x = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    /**
     * The largest |a - b| / max(|a|, |b|) (values below 1e-6 in magnitude compared absolutely against 1e-6);
     * fails when it exceeds {@code tol} or the lengths differ.
     */
    private static double maxRelative(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs((double) want[i] - got[i]);
            double rel = diff / Math.max(1e-6, Math.max(Math.abs(want[i]), Math.abs(got[i])));
            if (!(rel <= worst)) {
                worst = rel;
                at = i;
            }
        }
        if (!(worst <= tol)) {
            throw new AssertionError(what + ": relative difference " + worst + " at " + at + " (want " + want[at]
                    + ", got " + got[at] + ") over " + tol);
        }
        return worst;
    }
}
