package org.clipwsss.training.autodiff;

import static org.clipwsss.training.autodiff.Rule.in;
import static org.clipwsss.training.autodiff.Rule.one;
import static org.clipwsss.training.autodiff.Rule.out;

import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.Node;

/** Rules of the elementwise ops: arithmetic with broadcasting, and the pointwise functions. */
final class ElementwiseRules {
    private ElementwiseRules() {
    }

    static void register(Map<String, Rule> rules) {
        rules.put("Add", (n, dy, b) -> binary(n, b, dy, dy));
        rules.put("Sub", (n, dy, b) -> binary(n, b, dy, b.needs(in(n, 1)) ? b.neg(dy) : null));
        rules.put("Mul", (n, dy, b) -> binary(n, b, b.needs(in(n, 0)) ? b.g.mul(dy, in(n, 1)) : null,
                b.needs(in(n, 1)) ? b.g.mul(dy, in(n, 0)) : null));
        // d(a/b)/db = -y/b
        rules.put("Div", (n, dy, b) -> binary(n, b, b.needs(in(n, 0)) ? b.g.div(dy, in(n, 1)) : null,
                b.needs(in(n, 1)) ? b.neg(b.g.div(b.g.mul(dy, out(n)), in(n, 1))) : null));
        rules.put("Neg", (n, dy, b) -> one(b.neg(dy)));
        rules.put("Identity", (n, dy, b) -> one(dy));
        rules.put("Sqrt", (n, dy, b) -> one(b.g.div(b.g.mul(dy, b.scalar(0.5f)), out(n))));
        rules.put("Exp", (n, dy, b) -> one(b.g.mul(dy, out(n))));
        rules.put("Log", (n, dy, b) -> one(b.g.div(dy, in(n, 0))));
        rules.put("Sigmoid", (n, dy, b) -> one(b.g.mul(dy, b.g.mul(out(n), b.g.sub(b.scalar(1f), out(n))))));
        rules.put("Tanh", (n, dy, b) -> one(b.g.mul(dy, b.g.sub(b.scalar(1f), b.g.mul(out(n), out(n))))));
        rules.put("Erf", (n, dy, b) -> {
            String x = in(n, 0);
            String gauss = b.g.op("Exp", List.of(b.neg(b.g.mul(x, x))), Map.of());
            return one(b.g.mul(dy, b.g.mul(gauss, b.scalar((float) (2 / Math.sqrt(Math.PI))))));
        });
        rules.put("Pow", ElementwiseRules::pow);
        rules.put("Relu", (n, dy, b) -> one(passWhere(b, b.g.op("Greater", List.of(in(n, 0), b.scalar(0f)), Map.of()), dy)));
        rules.put("Clip", ElementwiseRules::clip);
        rules.put("Where", (n, dy, b) -> {
            String zero = b.scalar(0f);
            String c = in(n, 0);
            long[] y = b.shape(out(n));
            String da = b.needs(in(n, 1)) ? b.unbroadcast(b.where(c, dy, zero), y, b.shape(in(n, 1))) : null;
            String db = b.needs(in(n, 2)) ? b.unbroadcast(b.where(c, zero, dy), y, b.shape(in(n, 2))) : null;
            return new String[] {null, da, db};
        });
        rules.put("Cast", (n, dy, b) -> {
            if (n.intAttr("to", -1) != ElemType.FLOAT.onnxCode()) {
                throw new IllegalArgumentException("Cast node " + n.name() + " to a non-float type is on the gradient path");
            }
            return one(dy);
        });
    }

    /** Gradients of a broadcasting binary op, each summed back to its input's shape. */
    private static String[] binary(Node n, Backward b, String da, String db) {
        long[] y = b.shape(out(n));
        return new String[] {
            da == null || !b.needs(in(n, 0)) ? null : b.unbroadcast(da, y, b.shape(in(n, 0))),
            db == null || !b.needs(in(n, 1)) ? null : b.unbroadcast(db, y, b.shape(in(n, 1)))};
    }

    private static String passWhere(Backward b, String condition, String dy) {
        return b.where(condition, dy, b.scalar(0f));
    }

    private static String[] pow(Node n, String dy, Backward b) {
        if (b.needs(in(n, 1))) {
            throw new IllegalArgumentException("Pow node " + n.name() + ": gradient with respect to the exponent is not supported");
        }
        float p = b.constantFloat(in(n, 1), "Pow node " + n.name());
        GraphBuilder g = b.g;
        String xPow = g.op("Pow", List.of(in(n, 0), b.scalar(p - 1)), Map.of());
        return new String[] {g.mul(dy, g.mul(xPow, b.scalar(p))), null};
    }

    /** Gradient passes where min <= x <= max (as torch.clamp's). */
    private static String[] clip(Node n, String dy, Backward b) {
        String x = in(n, 0);
        String inside = null;
        if (n.inputs().size() > 1 && !in(n, 1).isEmpty()) {
            inside = b.g.op("GreaterOrEqual", List.of(x, in(n, 1)), Map.of());
        }
        if (n.inputs().size() > 2 && !in(n, 2).isEmpty()) {
            String below = b.g.op("LessOrEqual", List.of(x, in(n, 2)), Map.of());
            inside = inside == null ? below : b.g.op("And", List.of(inside, below), Map.of());
        }
        String[] grads = new String[n.inputs().size()];
        grads[0] = inside == null ? dy : passWhere(b, inside, dy);
        return grads;
    }
}
