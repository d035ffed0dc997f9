package org.clipwsss.training.autodiff;

import org.clipwsss.runtime.graph.Node;

/** The backward rule of one op: from the gradient of the node's output, the gradients of its inputs. */
@FunctionalInterface
interface Rule {
    /**
     * Emits the ops for the input gradients of {@code node} given {@code dy}, the gradient of its (first)
     * output. Returns one value name per input, null where the input gets no gradient (constant index
     * inputs, or inputs for which {@link Backward#needs} is false).
     */
    String[] backward(Node node, String dy, Backward b);
}
