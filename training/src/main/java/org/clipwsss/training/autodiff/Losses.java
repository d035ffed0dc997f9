package org.clipwsss.training.autodiff;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.GraphBuilder;

/** Scalar heads appended to a graph, to differentiate it (the conformance losses among them). */
public final class Losses {
    /** torch.clamp bounds of the cosine loss. */
    public static final float COS_MIN = 1e-4f;
    public static final float COS_MAX = 0.9999f;

    private Losses() {
    }

    /** sum_b &lt;y_b, probe&gt;: the sum of {@code y * probe} over all elements ({@code probe} broadcasts, e.g. [E] on [B,E]). */
    public static String dot(GraphBuilder g, String y, String probe) {
        return Ops.reduceSum(g, g.mul(y, probe), null, false);
    }

    /** Each row of {@code x} [.., E] divided by its L2 norm. */
    public static String l2Normalize(GraphBuilder g, String x) {
        String norm = Ops.unary(g, "Sqrt", Ops.reduceSum(g, g.mul(x, x), new long[] {-1}, true));
        return g.div(x, norm);
    }

    /** mean_b -log(clamp(cos(u_b, v_b), 1e-4, 0.9999)) for u, v [B,E]; a scalar. */
    public static String cosine(GraphBuilder g, String u, String v) {
        String cos = Ops.reduceSum(g, g.mul(l2Normalize(g, u), l2Normalize(g, v)), new long[] {-1}, false);
        String clamped = g.op("Clip", List.of(cos, g.constant("cos_min", COS_MIN), g.constant("cos_max", COS_MAX)), Map.of());
        return Ops.reduceMean(g, Ops.neg(g, Ops.unary(g, "Log", clamped)), null, false);
    }
}
