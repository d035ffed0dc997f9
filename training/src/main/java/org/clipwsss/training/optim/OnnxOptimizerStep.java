package org.clipwsss.training.optim;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.graph.ValueInfo;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;

/**
 * Runs an {@link Optimizer}'s update as an ONNX Runtime session (on the factory's device, CUDA included) for a flat
 * buffer of a fixed size: the step graph is written once to a file (by convention {@value #FILE_NAME}, as in ONNX
 * Runtime's on-device training artifacts) and each {@link #step} feeds it the parameters, gradient, rate and the
 * optimizer's state, then stores the new parameters in place and the new state back in the optimizer, so
 * checkpoints and resumes work the same as with the Java loop.
 *
 * <p>Sessions are cached per file by {@link SessionFactory}: a factory that already ran a different graph from the
 * same file would keep it, which the constructor detects (inputs and size) and reports.
 */
public final class OnnxOptimizerStep {
    /** The usual file name of the step graph. */
    public static final String FILE_NAME = "optimizer_model.onnx";

    private final Optimizer optimizer;
    private final int size;
    private final GraphRunner runner;

    /** Writes {@code optimizer.stepGraph(size)} to {@code file} and opens it with {@code sessions}. */
    public OnnxOptimizerStep(Optimizer optimizer, long size, Path file, SessionFactory sessions) {
        if (size <= 0 || size > Integer.MAX_VALUE - 8) {
            throw new ClipWsssException("optimizer step: buffer size " + size + " out of range");
        }
        this.optimizer = optimizer;
        this.size = (int) size;
        Graph graph = optimizer.stepGraph(size);
        try {
            OnnxWriter.write(graph, file, Map.of("clipwsss.graph", "optimizer step: " + optimizer.describe()
                    + ", " + size + " values"));
        } catch (IOException e) {
            throw ClipWsssException.file(file, "cannot write the optimizer step graph (" + e.getMessage() + ")", e);
        }
        this.runner = new GraphRunner(sessions, file);
        check(graph, sessions, file);
    }

    private void check(Graph graph, SessionFactory sessions, Path file) {
        Set<String> want = graph.inputs().stream().map(ValueInfo::name).collect(Collectors.toSet());
        long[] shape;
        try {
            shape = ((TensorInfo) sessions.session(file).getInputInfo().get(Optimizer.PARAMS).getInfo()).getShape();
        } catch (OrtException | RuntimeException e) {
            throw ClipWsssException.file(file, "cannot read the optimizer step's inputs", e);
        }
        if (!runner.inputNames().equals(want) || shape.length != 1 || shape[0] != size) {
            throw ClipWsssException.file(file, "the session open for this file is another optimizer step (inputs "
                    + runner.inputNames() + ", params " + java.util.Arrays.toString(shape) + ") than "
                    + optimizer.describe() + " over " + size + " values; use a new file or session factory");
        }
    }

    /** One update: {@code params} in place, the optimizer's state replaced by the graph's. */
    public void step(float[] params, float[] grads, float lr) {
        if (params.length != size) {
            throw new ClipWsssException("optimizer step: " + params.length + " parameters for a graph over " + size);
        }
        optimizer.step(runner, params, grads, lr);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public int size() {
        return size;
    }

    public Path file() {
        return runner.file();
    }
}
