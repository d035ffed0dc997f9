package org.clipwsss.training.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.training.autodiff.Gradients;

/**
 * The loop every trainer shares: write the forward graph as {@code eval_model.onnx}, derive
 * {@code training_model.onnx} (loss and gradients of the named parameters) from it, write the optimizer's step as {@code optimizer_model.onnx}, keep {@code loss.csv} with each checkpoint (both run as ONNX Runtime
 * sessions on the session factory's device), resume from a checkpoint in the work folder made with the same settings (or start from
 * the initial values), run full-batch steps with the optimizer and schedule, and checkpoint every N steps, at the
 * end and when cancelled, so a stopped run continues on the same loss curve.
 */
public final class TrainingLoop {
    public static final String GRAPH = "training_model.onnx";
    public static final String EVAL_GRAPH = "eval_model.onnx";
    public static final String LOSSES = "loss.csv";

    /** Receives the loss of each step (before that step's update). */
    @FunctionalInterface
    public interface StepListener {
        void step(int step, double loss);
    }

    /** The data inputs of one step (a minibatch), a function of the step alone so a resumed run sees the same data. */
    @FunctionalInterface
    public interface Feed {
        Map<String, NpyArray> inputs(int step);
    }

    /**
     * @param parameters the trainable graph inputs with their shapes, in the order of the flat buffer
     * @param settings   what the run depends on: a checkpoint made with other settings is refused
     * @param feed       the other graph inputs of each step (null: the graph has none, full batch)
     */
    public record Spec(Path workDir, String description, Map<String, long[]> parameters, JsonNode settings, Optimizer optimizer,
            Schedule schedule, int steps, int checkpointEvery, BooleanSupplier cancelled, Feed feed) {
        public Spec(Path workDir, String description, Map<String, long[]> parameters, JsonNode settings, Optimizer optimizer,
                Schedule schedule, int steps, int checkpointEvery, BooleanSupplier cancelled) {
            this(workDir, description, parameters, settings, optimizer, schedule, steps, checkpointEvery, cancelled, null);
        }
    }

    /** The trained parameters (flat, in {@link Spec#parameters()} order), the losses of the steps done, and the session. */
    public record Outcome(float[] parameters, double[] losses, GraphRunner runner) {
        public Map<String, NpyArray> tensors(Map<String, long[]> shapes) {
            return split(parameters, shapes);
        }
    }

    private TrainingLoop() {
    }

    /** @param init the initial flat parameters, asked for only when no checkpoint is resumed */
    public static Outcome run(Spec spec, Graph forward, Supplier<float[]> init, SessionFactory sessions, StepListener listener) {
        JsonNode settings = normalised(spec.settings());
        long size = spec.parameters().values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, Math::multiplyExact)).sum();
        double[] losses = new double[spec.steps()];
        float[] p;
        int start = 0;
        Checkpoint previous = Checkpoint.load(spec.workDir());
        if (previous != null) {
            if (!settings.equals(previous.settings())) {
                throw ClipWsssException.file(spec.workDir().resolve(Checkpoint.META), "was made with other settings ("
                        + previous.settings() + "); use another output folder or delete the checkpoint");
            }
            if (previous.step() > spec.steps()) {
                throw ClipWsssException.file(spec.workDir().resolve(Checkpoint.META), "is at step " + previous.step() + ", past " + spec.steps());
            }
            p = join(previous.parameters(), spec.parameters(), spec.workDir().resolve(Checkpoint.TENSORS));
            spec.optimizer().load(previous.optimizerState());
            start = previous.step();
            System.arraycopy(previous.losses(), 0, losses, 0, start);
        } else {
            spec.optimizer().load(Map.of());   // a fresh run starts with a fresh optimizer state
            p = init.get().clone();
            if (p.length != size) {
                throw new ClipWsssException("initial parameters have " + p.length + " values, expected " + size);
            }
        }
        Path graphFile = spec.workDir().resolve(GRAPH);
        try {
            OnnxWriter.write(forward, spec.workDir().resolve(EVAL_GRAPH), Map.of("clipwsss.graph", spec.description() + " (forward)"));
            Graph training = Gradients.of(forward, "loss", spec.parameters().keySet(), spec.parameters());
            OnnxWriter.write(training, graphFile, Map.of("clipwsss.graph", spec.description() + " (loss and gradient)"));
        } catch (IOException ex) {
            throw ClipWsssException.file(graphFile, "cannot write the training graph (" + ex.getMessage() + ")", ex);
        }
        GraphRunner runner = new GraphRunner(sessions, graphFile);
        OnnxOptimizerStep update = new OnnxOptimizerStep(spec.optimizer(), p.length, spec.workDir().resolve(OnnxOptimizerStep.FILE_NAME),
                sessions);
        List<String> wanted = new ArrayList<>();
        wanted.add("loss");
        spec.parameters().keySet().forEach(n -> wanted.add(Gradients.gradName(n)));
        float[] grad = new float[p.length];
        int step = start;
        for (; step < spec.steps() && !spec.cancelled().getAsBoolean(); step++) {
            Map<String, NpyArray> inputs = split(p, spec.parameters());
            if (spec.feed() != null) {
                inputs.putAll(spec.feed().inputs(step));
            }
            Map<String, NpyArray> out = runner.run(inputs, wanted);
            losses[step] = out.get("loss").toFloats()[0];
            int off = 0;
            for (String n : spec.parameters().keySet()) {
                float[] g = out.get(Gradients.gradName(n)).toFloats();
                System.arraycopy(g, 0, grad, off, g.length);
                off += g.length;
            }
            update.step(p, grad, spec.schedule().at(step));
            listener.step(step, losses[step]);
            if (spec.checkpointEvery() > 0 && (step + 1) % spec.checkpointEvery() == 0 && step + 1 < spec.steps()) {
                save(spec, step + 1, p, losses, settings);
            }
        }
        save(spec, step, p, losses, settings);
        return new Outcome(p, Arrays.copyOf(losses, step), runner);
    }

    private static void save(Spec spec, int step, float[] p, double[] losses, JsonNode settings) {
        new Checkpoint(step, split(p, spec.parameters()), spec.optimizer().state(), Arrays.copyOf(losses, step), settings)
                .save(spec.workDir());
        writeLosses(spec.workDir(), Arrays.copyOf(losses, step));
    }

    /** {@value #LOSSES}: {@code step,loss} per step done. */
    public static void writeLosses(Path dir, double[] losses) {
        StringBuilder sb = new StringBuilder("step,loss\n");
        for (int i = 0; i < losses.length; i++) {
            sb.append(i).append(',').append(String.format(java.util.Locale.ROOT, "%.8f", losses[i])).append('\n');
        }
        org.clipwsss.runtime.io.AtomicFiles.writeString(dir.resolve(LOSSES), sb.toString());
    }

    /** The flat buffer as named tensors. */
    public static Map<String, NpyArray> split(float[] flat, Map<String, long[]> shapes) {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        int off = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int n = Math.toIntExact(Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact));
            out.put(e.getKey(), NpyArray.ofFloats(Arrays.copyOfRange(flat, off, off + n), e.getValue()));
            off += n;
        }
        return out;
    }

    private static float[] join(Map<String, NpyArray> tensors, Map<String, long[]> shapes, Path source) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            NpyArray a = tensors.get(e.getKey());
            if (a == null || !Arrays.equals(a.shape(), e.getValue())) {
                throw ClipWsssException.file(source, "does not hold '" + e.getKey() + "' " + Arrays.toString(e.getValue())
                        + " for these settings");
            }
            float[] f = a.toFloats();
            parts.add(f);
            total += f.length;
        }
        float[] out = new float[total];
        int off = 0;
        for (float[] f : parts) {
            System.arraycopy(f, 0, out, off, f.length);
            off += f.length;
        }
        return out;
    }

    /** Settings as they read back from checkpoint.json (numbers as JSON has them), so the two compare equal. */
    private static JsonNode normalised(JsonNode n) {
        try {
            return new ObjectMapper().readTree(n.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
