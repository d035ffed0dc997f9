package org.clipwsss.runtime.model;

import java.util.List;
import org.clipwsss.runtime.graph.GraphBuilder;

/** The MLP activations Hugging Face CLIP configs name, written as plain ONNX ops. */
final class Activation {
    static final List<String> KNOWN = List.of("quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh");

    private Activation() {
    }

    static boolean isKnown(String name) {
        return KNOWN.contains(name);
    }

    static String apply(GraphBuilder g, String name, String x) {
        switch (name) {
            case "quick_gelu":
                // x * sigmoid(1.702 x)
                return g.mul(x, g.sigmoid(g.mul(x, g.constant("quick_gelu_k", 1.702f))));
            case "gelu":
                // 0.5 x (1 + erf(x / sqrt 2))
                return g.mul(g.mul(x, g.constant("half", 0.5f)),
                        g.add(g.constant("one", 1f), g.erf(g.mul(x, g.constant("inv_sqrt2", (float) (1 / Math.sqrt(2)))))));
            case "gelu_new":
            case "gelu_pytorch_tanh": {
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                String x3 = g.mul(g.mul(x, x), x);
                String inner = g.mul(g.constant("sqrt_2_over_pi", (float) Math.sqrt(2 / Math.PI)),
                        g.add(x, g.mul(g.constant("gelu_c", 0.044715f), x3)));
                return g.mul(g.mul(x, g.constant("half", 0.5f)), g.add(g.constant("one", 1f), g.tanh(inner)));
            }
            default:
                throw new IllegalArgumentException("unsupported activation " + name);
        }
    }
}
