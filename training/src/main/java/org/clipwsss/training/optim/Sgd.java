package org.clipwsss.training.optim;

import java.util.HashMap;
import java.util.Map;

/** torch.optim.SGD(lr, momentum, weight_decay) with dampening 0 and nesterov False. */
final class Sgd implements Optimizer {
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
    public Map<String, float[]> state() {
        Map<String, float[]> m = new HashMap<>();
        if (buffer != null) {
            m.put("momentum_buffer", buffer.clone());
        }
        return m;
    }

    @Override
    public void load(Map<String, float[]> state) {
        float[] b = state.get("momentum_buffer");
        buffer = b == null ? null : b.clone();
    }

    @Override
    public String describe() {
        return "sgd(momentum=" + momentum + ", weight_decay=" + weightDecay + ")";
    }
}
