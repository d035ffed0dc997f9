package org.clipwsss.training.optim;

import java.util.HashMap;
import java.util.Map;

/** torch.optim.AdamW(lr, betas, eps, weight_decay), amsgrad False. */
final class AdamW implements Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private float[] m;
    private float[] v;
    private long t;

    AdamW(float beta1, float beta2, float eps, float weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(float[] p, float[] g, float lr) {
        if (m == null) {
            m = new float[p.length];
            v = new float[p.length];
        }
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * weightDecay;
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            double denom = Math.sqrt(v[i]) / Math.sqrt(c2) + eps;
            p[i] -= (float) (lr / c1 * m[i] / denom);
        }
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new HashMap<>();
        if (m != null) {
            s.put("exp_avg", m.clone());
            s.put("exp_avg_sq", v.clone());
        }
        s.put("step", new float[] {t});
        return s;
    }

    @Override
    public void load(Map<String, float[]> state) {
        m = state.containsKey("exp_avg") ? state.get("exp_avg").clone() : null;
        v = state.containsKey("exp_avg_sq") ? state.get("exp_avg_sq").clone() : null;
        t = state.containsKey("step") ? (long) state.get("step")[0] : 0;
    }

    @Override
    public String describe() {
        return "adamw(betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay=" + weightDecay + ")";
    }
}
