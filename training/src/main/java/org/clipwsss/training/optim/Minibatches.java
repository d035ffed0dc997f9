package org.clipwsss.training.optim;

import java.util.SplittableRandom;
import org.clipwsss.runtime.ClipWsssException;

/**
 * Which examples each step trains on: every epoch is a fresh permutation of the {@code count} examples drawn from
 * the data-order seed and the epoch number, cut into batches of {@code size}; the last batch of an epoch is
 * filled up from the start of the same permutation, so every batch has the same size (fixed graph shapes) and
 * every example is seen at least once per epoch. A pure function of (seed, step): a resumed run sees the same
 * batches as an uninterrupted one.
 */
public record Minibatches(int count, int size, long seed) {
    public Minibatches {
        if (count < 1) {
            throw new ClipWsssException("empty data set: nothing to train on");
        }
        if (size < 1) {
            throw new ClipWsssException("batch size must be >= 1, is " + size);
        }
        size = Math.min(size, count);
    }

    public int stepsPerEpoch() {
        return (count + size - 1) / size;
    }

    /** The example indices of step {@code step} (0-based). */
    public int[] indices(int step) {
        int epoch = step / stepsPerEpoch();
        int first = (step % stepsPerEpoch()) * size;
        int[] perm = permutation(epoch);
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = perm[(first + i) % count];
        }
        return out;
    }

    /** Epoch {@code epoch}'s order (Fisher-Yates with {@code SplittableRandom(seed).split()} per epoch). */
    int[] permutation(int epoch) {
        int[] p = new int[count];
        for (int i = 0; i < count; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + epoch);
        for (int i = count - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
