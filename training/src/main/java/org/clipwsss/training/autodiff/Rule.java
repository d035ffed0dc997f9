package org.clipwsss.training.autodiff;

import org.clipwsss.runtime.graph.Node;

/** The backward rule of one op: from the gradient of the node's output, the gradients of its inputs. */
@FunctionalInterface
interface Rule {
    /**
     * Emits the ops for the input gradients of {@code node} given {@code dy}, the gradient of its (first)
     * output. Returns one value name per input, null where the input gets no gradient (constant index
     * inputs, or inputs for which {@link Backward#needs} is false); a shorter array leaves the remaining
     * inputs without one.
     */
    String[] backward(Node node, String dy, Backward b);

    /** The node's i-th input. */
    static String in(Node n, int i) {
        return n.inputs().get(i);
    }

    /** The node's first output. */
    static String out(Node n) {
        return n.outputs().get(0);
    }

    /** A gradient for a single-input op. */
    static String[] one(String dx) {
        return new String[] {dx};
    }
}
