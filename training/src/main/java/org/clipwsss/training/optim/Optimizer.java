package org.clipwsss.training.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.GraphRunner;

/**
 * Updates a flat parameter buffer from its gradient, in place, as PyTorch's optimizers do; its state (moments,
 * step count) can be saved with the parameters and loaded back so a resumed run continues exactly.
 *
 * <p>The same update is also available as an ONNX graph ({@link #stepGraph}), so a step can run in an ONNX Runtime
 * session (on CUDA too); {@link #step(GraphRunner, float[], float[], float)} runs it and keeps this optimizer's state,
 * so {@link #state()} and {@link #load} work the same whichever engine made the steps. The Java loop of
 * {@link #step(float[], float[], float)} stays the reference.
 */
public interface Optimizer {
    /** Graph input: the flat float parameter buffer [size]. */
    String PARAMS = "params";
    /** Graph input: the gradient [size]. */
    String GRADS = "grads";
    /** Graph input: this step's learning rate, a float scalar. */
    String LR = "lr";
    /** Graph output: the updated parameters [size]. */
    String PARAMS_OUT = "params_out";
    /** Suffix of the outputs that carry the new state: state input {@code x} comes back as {@code x_out}. */
    String OUT = "_out";

    /** One update with the learning rate of this step (from the schedule). */
    void step(float[] params, float[] grads, float lr);

    /** The state to checkpoint (buffers by name; copies). */
    Map<String, float[]> state();

    /** Restores {@link #state()}. */
    void load(Map<String, float[]> state);

    String describe();

    /**
     * The update as a graph over a flat buffer of {@code size} floats: inputs {@value #PARAMS} [size],
     * {@value #GRADS} [size], {@value #LR} [] and this optimizer's state inputs; outputs {@value #PARAMS_OUT} and,
     * for each state buffer {@code x} of {@link #state()}, {@code x_out}. Standard ONNX ops only (opset of
     * {@link org.clipwsss.runtime.graph.OnnxWriter}).
     */
    Graph stepGraph(long size);

    /**
     * The state inputs of {@link #stepGraph} for the current state, by input name, first step included (zeros and
     * flags where no state exists yet).
     */
    Map<String, NpyArray> stepState(int size);

    /**
     * One update through {@code runner}, a session of {@code stepGraph(params.length)}: {@code params} is updated in
     * place and the state outputs become this optimizer's state (as by {@link #load}).
     */
    default void step(GraphRunner runner, float[] params, float[] grads, float lr) {
        if (grads.length != params.length) {
            throw new ClipWsssException("optimizer step: " + params.length + " parameters but " + grads.length
                    + " gradient values");
        }
        Map<String, NpyArray> feeds = new LinkedHashMap<>(stepState(params.length));
        feeds.put(PARAMS, NpyArray.ofFloats(params, params.length));
        feeds.put(GRADS, NpyArray.ofFloats(grads, grads.length));
        feeds.put(LR, NpyArray.ofFloats(new float[] {lr}));
        List<String> wanted = List.copyOf(runner.outputNames());
        Map<String, NpyArray> out = runner.run(feeds, wanted);
        Map<String, float[]> state = new LinkedHashMap<>();
        for (String name : wanted) {
            if (!name.equals(PARAMS_OUT)) {
                if (!name.endsWith(OUT)) {
                    throw ClipWsssException.file(runner.file(), "optimizer output '" + name + "' is not a state output");
                }
                state.put(name.substring(0, name.length() - OUT.length()), out.get(name).floats());
            }
        }
        float[] p = out.get(PARAMS_OUT).floats();
        if (p.length != params.length) {
            throw ClipWsssException.file(runner.file(), "gave " + p.length + " parameters for " + params.length);
        }
        System.arraycopy(p, 0, params, 0, p.length);
        load(state);
    }

    /**
     * By name: {@code sgd} (with {@code momentum}) or {@code adamw} (PyTorch's default betas and eps; momentum
     * unused), both with {@code weightDecay}.
     */
    static Optimizer named(String name, float momentum, float weightDecay) {
        return switch (name) {
            case "sgd" -> sgd(momentum, weightDecay);
            case "adamw" -> adamW(0.9f, 0.999f, 1e-8f, weightDecay);
            default -> throw new org.clipwsss.runtime.ClipWsssException("unknown optimizer '" + name + "' (sgd, adamw)");
        };
    }

    /** PyTorch's SGD: optional weight decay added to the gradient, optional momentum (dampening 0, no Nesterov). */
    static Optimizer sgd(float momentum, float weightDecay) {
        return new Sgd(momentum, weightDecay);
    }

    /** PyTorch's AdamW: decoupled weight decay, bias-corrected moments. */
    static Optimizer adamW(float beta1, float beta2, float eps, float weightDecay) {
        return new AdamW(beta1, beta2, eps, weightDecay);
    }
}
