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
 * torch.optim.AdamW(lr, betas, eps, weight_decay), amsgrad False.
 *
 * <p>Step graph: besides {@code params}, {@code grads}, {@code lr} it takes {@code exp_avg} and {@code exp_avg_sq}
 * [size] (zeros before the first step, which is then exactly PyTorch's first step) and {@code step}, the float scalar
 * count of steps already taken; it gives {@code exp_avg_out}, {@code exp_avg_sq_out} and {@code step_out} = step + 1.
 * The graph repeats the Java loop's operations in the same order and precision: moments and decay in float, the bias
 * corrections 1 - beta^t (Pow) and the update lr / c1 * m / (sqrt(v) / sqrt(c2) + eps) in double, cast to float
 * before it is subtracted. (Float intermediates there would cost about 1e-7 of the update, which is large relative
 * to parameters near zero.)
 */
final class AdamW implements Optimizer {
    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";
    static final String STEP = "step";
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
    public Graph stepGraph(long size) {
        GraphBuilder g = StepGraphs.start("adamw_step", size);
        String p = Optimizer.PARAMS;
        String grad = Optimizer.GRADS;
        String lr = Optimizer.LR;
        String mIn = StepGraphs.stateInput(g, EXP_AVG, size);
        String vIn = StepGraphs.stateInput(g, EXP_AVG_SQ, size);
        String stepIn = g.input(STEP, ElemType.FLOAT);
        String one = g.constant("one", 1f);
        // p *= 1 - lr * wd
        String decayed = weightDecay != 0
                ? g.mul(p, g.sub(one, g.mul(lr, g.constant("weight_decay", weightDecay)))) : p;
        // m = b1 m + (1 - b1) g ; v = b2 v + (1 - b2) g g
        String b1 = g.constant("beta1", beta1);
        String b2 = g.constant("beta2", beta2);
        String mOut = g.add(g.mul(b1, mIn), g.mul(g.constant("one_minus_beta1", 1 - beta1), grad));
        String vOut = g.add(g.mul(b2, vIn),
                g.mul(g.mul(g.constant("one_minus_beta2", 1 - beta2), grad), grad));
        // t = step + 1 ; c = 1 - beta^t ; the update lr / c1 * m / (sqrt(v) / sqrt(c2) + eps) in double, as the loop
        String t = g.add(stepIn, one);
        String td = StepGraphs.toDouble(g, t);
        String oneD = StepGraphs.toDouble(g, one);
        String c1 = g.sub(oneD, pow(g, StepGraphs.toDouble(g, b1), td));
        String c2 = g.sub(oneD, pow(g, StepGraphs.toDouble(g, b2), td));
        String denom = g.add(g.div(sqrt(g, StepGraphs.toDouble(g, vOut)), sqrt(g, c2)),
                StepGraphs.toDouble(g, g.constant("eps", eps)));
        String update = g.div(g.mul(g.div(StepGraphs.toDouble(g, lr), c1), StepGraphs.toDouble(g, mOut)), denom);
        // p -= (float) update
        String out = g.sub(decayed, StepGraphs.toFloat(g, update));
        g.output(out, Optimizer.PARAMS_OUT, ElemType.FLOAT, size);
        StepGraphs.stateOutput(g, mOut, EXP_AVG, size);
        StepGraphs.stateOutput(g, vOut, EXP_AVG_SQ, size);
        StepGraphs.stateOutput(g, t, STEP, 0);
        return g.build();
    }

    private static String pow(GraphBuilder g, String base, String exponent) {
        return g.op("Pow", List.of(base, exponent), Map.of());
    }

    private static String sqrt(GraphBuilder g, String x) {
        return g.op("Sqrt", List.of(x), Map.of());
    }

    @Override
    public Map<String, NpyArray> stepState(int size) {
        if (m != null && (m.length != size || v.length != size)) {
            throw new ClipWsssException("adamw: moments have " + m.length + " values for " + size + " parameters");
        }
        Map<String, NpyArray> s = new HashMap<>();
        s.put(EXP_AVG, NpyArray.ofFloats(m != null ? m : new float[size], size));
        s.put(EXP_AVG_SQ, NpyArray.ofFloats(v != null ? v : new float[size], size));
        s.put(STEP, NpyArray.ofFloats(new float[] {t}));
        return s;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new HashMap<>();
        if (m != null) {
            s.put(EXP_AVG, m.clone());
            s.put(EXP_AVG_SQ, v.clone());
        }
        s.put(STEP, new float[] {t});
        return s;
    }

    @Override
    public void load(Map<String, float[]> state) {
        m = state.containsKey(EXP_AVG) ? state.get(EXP_AVG).clone() : null;
        v = state.containsKey(EXP_AVG_SQ) ? state.get(EXP_AVG_SQ).clone() : null;
        t = state.containsKey(STEP) ? (long) state.get(STEP)[0] : 0;
    }

    @Override
    public String describe() {
        return "adamw(betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay=" + weightDecay + ")";
    }
}
