package org.clipwsss.training.gradcam;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.model.ClipGraphs;

/**
 * The gradient of a score with respect to an attention block's input h [B,T,W], summed over the patch tokens (rows
 * 1..T-1, the class token's row 0 left out): all that Grad-CAM takes from it (its channel weights are that sum over
 * the number of patches), at a quarter of the products of the full backward through the attention and without the
 * three [T,W]x[W,W] products back through q, k and v.
 *
 * <p>Per head, with Q the scaled queries, K, V the keys and values, P = softmax(Q K^T) and O = P V (all as in
 * {@link ClipGraphs.Attention}), dO the gradient reaching the heads' outputs, R the patch rows:
 * <ul>
 * <li>the backward of softmax: dS = P (dP - c), dP = dO V^T, c_t = sum_s P_ts dP_ts = dO_t . O_t; every row of dS sums
 * to 0;</li>
 * <li>sum over R of dV_s (dV = P^T dO) = sum_t (1 - P_t0) dO_t;</li>
 * <li>sum over R of dK_s (dK = dS^T Q) = sum_t (sum over s in R of dS_ts) Q_t = sum_t -dS_t0 Q_t, with
 * -dS_t0 = P_t0 (c_t - dO_t . V_0);</li>
 * <li>sum over R of dQ_t (dQ = dS K) = sum_s e_s K_s with e_s = sum over t in R of dS_ts = V_s . E_s - sum over t in R of
 * P_ts c_t, where E = P^T dO over the rows R: one [D+1,T]x[T,T] product per head ([dO | c] with row 0 zeroed, times
 * P);</li>
 * <li>then back through the projections: the scale onto dQ, and dh = dQ Wq + dK Wk + dV Wv, W as stored ([out,in]).</li>
 * </ul>
 * {@code PatchSumGradientTest} checks it against the full gradient from {@code Gradients} summed over the patch rows.
 */
public final class PatchSumGradient {
    private PatchSumGradient() {
    }

    /**
     * Adds the ops to {@code g} and returns the value [B,W]: the sum over the patch tokens of d score / d h, given
     * {@code dAttended} = d score / d {@link ClipGraphs.Attention#attended()} [B,T,W] (the heads merged).
     */
    public static String of(GraphBuilder g, ClipGraphs.Attention a, String dAttended, int heads, int width) {
        int d = width / heads;
        String dO = g.transpose(g.reshape(dAttended, 0, 0, heads, d), 0, 2, 1, 3); // [B,H,T,D]
        String axis3 = g.constantLongs("axis_3", 3);
        String axis2 = g.constantLongs("axis_2", 2);
        String c = g.op("ReduceSum", List.of(g.mul(dO, a.headOutputs()), axis3), Map.of("keepdims", 1L)); // [B,H,T,1]
        String dOc = g.concat(3, dO, c); // [B,H,T,D+1]
        String first = g.slice(dOc, new long[] {0}, new long[] {1}, new long[] {2});
        String patchRows = g.concat(2, g.mul(first, g.constant("zero", 0f)),
                g.slice(dOc, new long[] {1}, new long[] {Long.MAX_VALUE}, new long[] {2}));
        String e = g.matMul(g.transpose(patchRows, 0, 1, 3, 2), a.probabilities()); // [B,H,D+1,T]
        String eValues = g.slice(e, new long[] {0}, new long[] {d}, new long[] {2});
        String eProbs = g.slice(e, new long[] {d}, new long[] {d + 1L}, new long[] {2});
        String columnSums = g.sub(g.op("ReduceSum", List.of(g.mul(g.transpose(a.values(), 0, 1, 3, 2), eValues), axis2),
                Map.of("keepdims", 1L)), eProbs); // [B,H,1,T]
        String dQ = g.mul(g.matMul(columnSums, a.keys()), g.constant("query_scale", a.queryScale())); // [B,H,1,D]
        String p0 = g.slice(a.probabilities(), new long[] {0}, new long[] {1}, new long[] {3}); // [B,H,T,1]
        String v0 = g.slice(a.values(), new long[] {0}, new long[] {1}, new long[] {2}); // [B,H,1,D]
        String dP0 = g.op("ReduceSum", List.of(g.mul(dO, v0), axis3), Map.of("keepdims", 1L)); // [B,H,T,1]
        String dK = g.matMul(g.transpose(g.mul(p0, g.sub(c, dP0)), 0, 1, 3, 2), a.queries()); // [B,H,1,D]
        String dV = g.matMul(g.transpose(g.sub(g.constant("one", 1f), p0), 0, 1, 3, 2), dO); // [B,H,1,D]
        return g.add(g.add(g.matMul(g.reshape(dQ, 0, width), a.queryWeight()), g.matMul(g.reshape(dK, 0, width), a.keyWeight())),
                g.matMul(g.reshape(dV, 0, width), a.valueWeight()));
    }
}
