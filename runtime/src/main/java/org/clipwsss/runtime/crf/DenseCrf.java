package org.clipwsss.runtime.crf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fully connected CRF over N points with M labels, Potts label compatibility and Gaussian pairwise kernels
 * filtered on {@link PermutohedralLattice}s, solved by mean-field, as Krähenbühl's {@code densecrf}
 * ({@code DenseCRF::inference}) computes it:
 * <ol>
 * <li>Q⁰ = softmax(−U) per point;</li>
 * <li>each iteration starts from −U and adds, for every pairwise term in the order added, {@code w · filter(Q)}
 * (all terms read the previous Q; no damping), then Q = softmax of that per point.</li>
 * </ol>
 * With {@link Normalization#SYMMETRIC} (densecrf's default, what pydensecrf and CLIP-ES use),
 * {@code filter(Q)_i = n_i · L(n ⊙ Q)_i} with {@code n_i = 1 / sqrt(L(1)_i + 1e-20)}; {@link Normalization#AFTER}
 * divides by {@code L(1)_i} once, after filtering. Everything is float32, as in densecrf.
 *
 * <p>Not thread-safe while being configured; {@link #inference} does not change the CRF.
 */
public final class DenseCrf {

    /** How a kernel's lattice output is normalised (densecrf's {@code NormalizationType}, the two used here). */
    public enum Normalization {
        /** {@code n ⊙ L(n ⊙ Q)} with {@code n = 1/sqrt(L(1))}: densecrf's default. */
        SYMMETRIC,
        /** {@code L(Q) / L(1)}: the NIPS 2011 variant. */
        AFTER
    }

    private final int n;
    private final int labels;
    private float[] negUnary; // point-major: [i * labels + l] = -U(l, i)
    private final List<Term> terms = new ArrayList<>();

    private record Term(PermutohedralLattice lattice, float[] norm, float weight, Normalization normalization) {
    }

    /**
     * A CRF over {@code points} points with {@code labels} labels and a zero unary.
     *
     * @throws IllegalArgumentException for non-positive sizes
     */
    public DenseCrf(int points, int labels) {
        if (points <= 0 || labels <= 0) {
            throw new IllegalArgumentException("points and labels must be positive, got " + points + " and " + labels);
        }
        Math.multiplyExact(points, labels);
        this.n = points;
        this.labels = labels;
        this.negUnary = new float[points * labels];
    }

    public int points() {
        return n;
    }

    public int labels() {
        return labels;
    }

    /**
     * Sets the unary energy U (minus log-probabilities), label-major: {@code unary[l * N + i]}, as pydensecrf's
     * {@code setUnaryEnergy} takes a [M, N] array.
     *
     * @throws IllegalArgumentException if the length is not M·N or a value is NaN
     */
    public DenseCrf setUnary(float[] unary) {
        if (unary.length != n * labels) {
            throw new IllegalArgumentException("the unary has " + unary.length + " values but " + labels + " labels x "
                    + n + " points need " + (long) n * labels);
        }
        float[] neg = new float[n * labels];
        for (int l = 0; l < labels; l++) {
            for (int i = 0; i < n; i++) {
                float u = unary[l * n + i];
                if (Float.isNaN(u)) {
                    throw new IllegalArgumentException("the unary of label " + l + " at point " + i + " is NaN");
                }
                neg[i * labels + l] = -u;
            }
        }
        negUnary = neg;
        return this;
    }

    /** Sets the unary energy from {@code unary[l][i]}; see {@link #setUnary(float[])}. */
    public DenseCrf setUnary(float[][] unary) {
        if (unary.length != labels) {
            throw new IllegalArgumentException("the unary has " + unary.length + " labels but the CRF " + labels);
        }
        float[] flat = new float[n * labels];
        for (int l = 0; l < labels; l++) {
            if (unary[l].length != n) {
                throw new IllegalArgumentException("the unary of label " + l + " has " + unary[l].length
                        + " values but the CRF has " + n + " points");
            }
            System.arraycopy(unary[l], 0, flat, l * n, n);
        }
        return setUnary(flat);
    }

    /**
     * Adds a Potts term with a Gaussian kernel on point-major {@code features} ({@code d} per point), symmetrically
     * normalised: {@code addPairwise(PermutohedralLattice.build(features, d), weight, SYMMETRIC)}.
     */
    public DenseCrf addPairwise(float[] features, int d, float weight) {
        if (features.length != (long) n * d) {
            throw new IllegalArgumentException(features.length + " feature values but " + n + " points x d = " + d
                    + " need " + (long) n * d);
        }
        return addPairwise(PermutohedralLattice.build(features, d), weight, Normalization.SYMMETRIC);
    }

    /** As {@link #addPairwise(float[], int, float)} with {@code features[i]} the feature vector of point i. */
    public DenseCrf addPairwise(float[][] features, float weight) {
        if (features.length != n) {
            throw new IllegalArgumentException(features.length + " feature vectors but the CRF has " + n + " points");
        }
        return addPairwise(PermutohedralLattice.build(features), weight, Normalization.SYMMETRIC);
    }

    /**
     * Adds a Potts term with weight {@code weight} (pydensecrf's {@code compat}) on a lattice built over this CRF's
     * points; filters the all-ones signal once for the normalisation.
     */
    public DenseCrf addPairwise(PermutohedralLattice lattice, float weight, Normalization normalization) {
        if (lattice.size() != n) {
            throw new IllegalArgumentException("the lattice has " + lattice.size() + " points but the CRF " + n);
        }
        if (!Float.isFinite(weight)) {
            throw new IllegalArgumentException("the weight must be finite, got " + weight);
        }
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        float[] norm = lattice.filter(ones, 1);
        for (int i = 0; i < n; i++) {
            double s = norm[i] + 1e-20;
            norm[i] = (float) (normalization == Normalization.SYMMETRIC ? 1.0 / Math.sqrt(s) : 1.0 / s);
        }
        terms.add(new Term(lattice, norm, weight, normalization));
        return this;
    }

    /** The pairwise terms added so far. */
    public int pairwiseCount() {
        return terms.size();
    }

    /**
     * Runs mean-field inference.
     *
     * @param iterations 0 gives softmax(−U)
     * @return Q, label-major: {@code q[l][i]}
     */
    public float[][] inference(int iterations) {
        float[] q = inferenceFlat(iterations);
        float[][] out = new float[labels][n];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < labels; l++) {
                out[l][i] = q[i * labels + l];
            }
        }
        return out;
    }

    /**
     * Runs mean-field inference and returns Q point-major: {@code q[i * M + l]}.
     *
     * @throws IllegalArgumentException for a negative number of iterations
     */
    public float[] inferenceFlat(int iterations) {
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        }
        int size = n * labels;
        float[] q = new float[size];
        softmax(negUnary, q);
        float[] logits = new float[size];
        float[] scaled = new float[size];
        float[] filtered = new float[size];
        int workSize = 0;
        for (Term t : terms) {
            workSize = Math.max(workSize, t.lattice.workspaceSize(labels));
        }
        float[] work = new float[workSize];
        for (int it = 0; it < iterations; it++) {
            System.arraycopy(negUnary, 0, logits, 0, size);
            for (Term t : terms) {
                float[] norm = t.norm;
                boolean symmetric = t.normalization == Normalization.SYMMETRIC;
                if (symmetric) {
                    for (int i = 0, o = 0; i < n; i++) {
                        float s = norm[i];
                        for (int l = 0; l < labels; l++, o++) {
                            scaled[o] = q[o] * s;
                        }
                    }
                    t.lattice.filter(scaled, filtered, labels, work);
                } else {
                    t.lattice.filter(q, filtered, labels, work);
                }
                float w = t.weight;
                for (int i = 0, o = 0; i < n; i++) {
                    float s = norm[i];
                    for (int l = 0; l < labels; l++, o++) {
                        logits[o] += w * (filtered[o] * s);
                    }
                }
            }
            softmax(logits, q);
        }
        return q;
    }

    /** Per point: subtract the maximum, exp, divide by the sum (densecrf's expAndNormalize). */
    private void softmax(float[] in, float[] out) {
        int m = labels;
        for (int i = 0, base = 0; i < n; i++, base += m) {
            float max = in[base];
            for (int l = 1; l < m; l++) {
                max = Math.max(max, in[base + l]);
            }
            float sum = 0f;
            for (int l = 0; l < m; l++) {
                float e = (float) Math.exp(in[base + l] - max);
                out[base + l] = e;
                sum += e;
            }
            for (int l = 0; l < m; l++) {
                out[base + l] /= sum;
            }
        }
    }
}
