package org.clipwsss.training.optim;

import java.util.Map;

/**
 * Updates a flat parameter buffer from its gradient, in place, as PyTorch's optimizers do; its state (moments,
 * step count) can be saved with the parameters and loaded back so a resumed run continues exactly.
 */
public interface Optimizer {
    /** One update with the learning rate of this step (from the schedule). */
    void step(float[] params, float[] grads, float lr);

    /** The state to checkpoint (buffers by name; copies). */
    Map<String, float[]> state();

    /** Restores {@link #state()}. */
    void load(Map<String, float[]> state);

    String describe();

    /** PyTorch's SGD: optional weight decay added to the gradient, optional momentum (dampening 0, no Nesterov). */
    static Optimizer sgd(float momentum, float weightDecay) {
        return new Sgd(momentum, weightDecay);
    }

    /** PyTorch's AdamW: decoupled weight decay, bias-corrected moments. */
    static Optimizer adamW(float beta1, float beta2, float eps, float weightDecay) {
        return new AdamW(beta1, beta2, eps, weightDecay);
    }
}
