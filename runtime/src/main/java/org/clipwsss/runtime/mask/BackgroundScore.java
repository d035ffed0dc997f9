package org.clipwsss.runtime.mask;

/**
 * The score the background competes with at a pixel, in {@link PseudoMasks}: a constant threshold, or CLIP-ES's
 * {@code (1 - max_k cam)^k}.
 */
public sealed interface BackgroundScore {
    /** The background score at a pixel whose largest class activation is {@code maxCam} (0 when there are none). */
    float score(float maxCam);

    /** Background scores {@code threshold} everywhere: a pixel is foreground where some CAM exceeds it. */
    static BackgroundScore constant(float threshold) {
        return new Constant(threshold);
    }

    /** Background scores {@code (1 - max cam)^exponent}, with {@code 1 - max cam} clamped to [0, 1] (CLIP-ES). */
    static BackgroundScore power(float exponent) {
        return new Power(exponent);
    }

    record Constant(float threshold) implements BackgroundScore {
        @Override
        public float score(float maxCam) {
            return threshold;
        }
    }

    record Power(float exponent) implements BackgroundScore {
        @Override
        public float score(float maxCam) {
            float base = Math.min(1f, Math.max(0f, 1f - maxCam));
            // x^1 = x exactly (Math.pow's own rule for an exponent of 1): no pow call per pixel for CLIP-ES's default
            return exponent == 1f ? base : (float) Math.pow(base, exponent);
        }
    }
}
