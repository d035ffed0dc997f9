package org.clipwsss.training.optim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.io.NpyArray;

/**
 * torch.optim.SGD(lr, momentum, weight_decay) with dampening 0 and nesterov False.
 *
 * <p>Step graph: with momentum 0 only {@code params}, {@code grads}, {@code lr} → {@code params_out}. With momentum
 * it also takes {@code momentum_buffer} [size] and the float scalar {@code initialized} (0 before the first step,
 * when the buffer is ignored and starts as the decayed gradient, as in PyTorch; 1 after) and gives
 * {@code momentum_buffer_out}. The ops follow the Java loop's order of float operations, so both agree exactly.
 */
final class Sgd implements Optimizer {
    static final String MOMENTUM_BUFFER = "momentum_buffer";
    /** Step-graph input: 1 once the momentum buffer exists, 0 before the first step. */
    static final String INITIALIZED = "initialized";
    private final float momentum;
    private final float weightDecay;
    private float[] buffer;

    Sgd(float momentum, float weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(float[] p, float[] g, float lr) {
        if (momentum != 0 && buffer == null) {
            buffer = new float[p.length];
            for (int i = 0; i < p.length; i++) {
                buffer[i] = g[i] + weightDecay * p[i];
            }
        } else if (momentum != 0) {
            for (int i = 0; i < p.length; i++) {
                buffer[i] = momentum * buffer[i] + g[i] + weightDecay * p[i];
            }
        }
        for (int i = 0; i < p.length; i++) {
            float d = momentum != 0 ? buffer[i] : g[i] + weightDecay * p[i];
            p[i] -= lr * d;
        }
    }

    @Override
    public Graph stepGraph(long size) {
        GraphBuilder g = StepGraphs.start("sgd_step", size);
        String p = Optimizer.PARAMS;
        String grad = Optimizer.GRADS;
        // d = g + wd * p (skipped when wd = 0, where it changes nothing)
        String decay = weightDecay != 0 ? g.mul(g.constant("weight_decay", weightDecay), p) : null;
        String d = decay != null ? g.add(grad, decay) : grad;
        if (momentum != 0) {
            String buf = StepGraphs.stateInput(g, MOMENTUM_BUFFER, size);
            String initialized = g.input(INITIALIZED, ElemType.FLOAT);
            // later steps: buf = momentum * buf + g + wd * p; the first: buf = g + wd * p
            String later = g.add(g.mul(g.constant("momentum", momentum), buf), grad);
            if (decay != null) {
                later = g.add(later, decay);
            }
            d = g.op("Where", List.of(g.cast(initialized, ElemType.BOOL), later, d), Map.of());
            StepGraphs.stateOutput(g, d, MOMENTUM_BUFFER, size);
        }
        g.output(g.sub(p, g.mul(Optimizer.LR, d)), Optimizer.PARAMS_OUT, ElemType.FLOAT, size);
        return g.build();
    }

    @Override
    public Map<String, NpyArray> stepState(int size) {
        Map<String, NpyArray> m = new HashMap<>();
        if (momentum != 0) {
            if (buffer != null && buffer.length != size) {
                throw new ClipWsssException("sgd: momentum buffer has " + buffer.length + " values for " + size
                        + " parameters");
            }
            m.put(MOMENTUM_BUFFER, NpyArray.ofFloats(buffer != null ? buffer : new float[size], size));
            m.put(INITIALIZED, NpyArray.ofFloats(new float[] {buffer != null ? 1 : 0}));
        }
        return m;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> m = new HashMap<>();
        if (buffer != null) {
            m.put(MOMENTUM_BUFFER, buffer.clone());
        }
        return m;
    }

    @Override
    public void load(Map<String, float[]> state) {
        float[] b = state.get(MOMENTUM_BUFFER);
        buffer = b == null ? null : b.clone();
    }

    @Override
    public String describe() {
        return "sgd(momentum=" + momentum + ", weight_decay=" + weightDecay + ")";
    }
}
